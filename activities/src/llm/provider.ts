export interface LlmRequest {
  system?: string;
  prompt: string;
  maxTokens: number;
  /** Sampling temperature; each provider's default when absent. */
  temperature?: number;
  /** Aborts the call (and its wait for a free model) when the activity is cancelled or timed out. */
  signal?: AbortSignal;
}

export interface LlmResult {
  text: string;
  /** `length` when the model stopped at maxTokens rather than on its own. */
  finishReason: 'stop' | 'length';
  tokensIn: number;
  tokensOut: number;
  model: string;
}

/** Every text model Bolt talks to sits behind this interface (chosen per agent). */
export interface LlmProvider {
  readonly name: string;
  generate(req: LlmRequest): Promise<LlmResult>;
}
