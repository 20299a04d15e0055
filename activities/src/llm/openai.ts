import OpenAI from 'openai';
import { ProviderError, safetyError } from '../providers/errors.ts';
import { classifyOpenAiError } from '../providers/openai-errors.ts';
import type { LlmProvider, LlmRequest, LlmResult } from './provider.ts';

export interface OpenAiLlmOptions {
  apiKey: string;
  /** e.g. `gpt-4o-mini`. */
  model: string;
  /** Another endpoint speaking the OpenAI API, including its `/v1` (a proxy, or a local fake in tests). */
  baseUrl?: string;
  /** Used when the request sets none. */
  temperature?: number;
  /** Per-request timeout in milliseconds; default two minutes. */
  timeoutMs?: number;
}

/** Rethrows the caller's cancellation as it is; anything else becomes a classified ProviderError. */
export function openAiFailure(err: unknown, provider: string, apiKey: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof ProviderError) return err;
  return classifyOpenAiError(provider, err, apiKey);
}

export function openAiClient(apiKey: string, baseUrl: string | undefined, timeoutMs: number): OpenAI {
  // No retries inside the SDK: Temporal retries the activity, with the provider's requested delay.
  return new OpenAI({ apiKey, baseURL: baseUrl, maxRetries: 0, timeout: timeoutMs });
}

/** OpenAI chat models through the official openai SDK, with the user's own key. */
export class OpenAiLlmProvider implements LlmProvider {
  readonly name = 'openai';
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiLlmOptions) {
    this.client = openAiClient(options.apiKey, options.baseUrl, options.timeoutMs ?? 120_000);
  }

  async generate(req: LlmRequest): Promise<LlmResult> {
    const { apiKey, model } = this.options;
    const temperature = req.temperature ?? this.options.temperature;
    let res: OpenAI.Chat.Completions.ChatCompletion;
    try {
      res = await this.client.chat.completions.create(
        {
          model,
          messages: [
            ...(req.system ? [{ role: 'system' as const, content: req.system }] : []),
            { role: 'user' as const, content: req.prompt },
          ],
          max_completion_tokens: req.maxTokens,
          ...(temperature !== undefined ? { temperature } : {}),
        },
        { signal: req.signal },
      );
    } catch (err) {
      throw openAiFailure(err, this.name, apiKey, req.signal);
    }
    const choice = res.choices[0];
    if (choice?.finish_reason === 'content_filter')
      throw safetyError(this.name, 'finish_reason content_filter', apiKey);
    if (choice?.message.refusal) throw safetyError(this.name, `refused: ${choice.message.refusal}`, apiKey);
    const text = (choice?.message.content ?? '').trim();
    if (!text && choice?.finish_reason !== 'length') {
      throw new ProviderError({
        kind: 'transient',
        provider: this.name,
        message: `OpenAI returned no text (finish reason ${choice?.finish_reason ?? 'none'}); Bolt retries on its own.`,
      });
    }
    return {
      text,
      finishReason: choice?.finish_reason === 'length' ? 'length' : 'stop',
      tokensIn: res.usage?.prompt_tokens ?? 0,
      tokensOut: res.usage?.completion_tokens ?? 0,
      model,
    };
  }
}
