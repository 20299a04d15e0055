import { type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { ProviderError, safetyError } from '../providers/errors.ts';
import { classifyGoogleError } from '../providers/google-errors.ts';
import type { LlmProvider, LlmRequest, LlmResult } from './provider.ts';

export interface GeminiLlmOptions {
  apiKey: string;
  /** e.g. `gemini-2.5-flash`. */
  model: string;
  /** Another endpoint speaking the Gemini API (a proxy, or a local fake in tests). */
  baseUrl?: string;
  /** Used when the request sets none. */
  temperature?: number;
  /** Thinking tokens allowed (2.5 models count them in maxOutputTokens); the model's default when absent. */
  thinkingBudget?: number;
  /** Per-request timeout in milliseconds; default two minutes. */
  timeoutMs?: number;
}

/** Finish reasons meaning the model refused on policy grounds rather than stopping. */
export const geminiBlockedReasons = new Set([
  'SAFETY',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

/** Throws a safety ProviderError when the prompt or the answer was blocked. */
export function checkGeminiBlocked(res: GenerateContentResponse, provider: string, apiKey: string): void {
  const blockReason = res.promptFeedback?.blockReason;
  if (blockReason) {
    const why = res.promptFeedback?.blockReasonMessage;
    throw safetyError(provider, `prompt blocked: ${blockReason}${why ? ` (${why})` : ''}`, apiKey);
  }
  const finish = res.candidates?.[0]?.finishReason;
  if (finish && geminiBlockedReasons.has(finish))
    throw safetyError(provider, `answer blocked: ${finish}`, apiKey);
}

/** Rethrows the caller's cancellation as it is; anything else becomes a classified ProviderError. */
export function geminiFailure(err: unknown, provider: string, apiKey: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof ProviderError) return err;
  return classifyGoogleError(provider, err, apiKey);
}

export function geminiClient(
  apiKey: string,
  baseUrl: string | undefined,
  timeoutMs: number,
  apiVersion?: string,
): GoogleGenAI {
  return new GoogleGenAI({
    apiKey,
    // No retries inside the SDK: Temporal retries the activity, with the provider's requested delay.
    httpOptions: {
      timeout: timeoutMs,
      retryOptions: { attempts: 1 },
      ...(baseUrl ? { baseUrl } : {}),
      ...(apiVersion ? { apiVersion } : {}),
    },
  });
}

/** Gemini through the official @google/genai SDK, with the user's own key. */
export class GeminiLlmProvider implements LlmProvider {
  readonly name = 'gemini';
  private readonly client: GoogleGenAI;

  constructor(private readonly options: GeminiLlmOptions) {
    this.client = geminiClient(options.apiKey, options.baseUrl, options.timeoutMs ?? 120_000);
  }

  async generate(req: LlmRequest): Promise<LlmResult> {
    const { apiKey, model } = this.options;
    let res: GenerateContentResponse;
    try {
      const temperature = req.temperature ?? this.options.temperature;
      res = await this.client.models.generateContent({
        model,
        contents: [{ role: 'user', parts: [{ text: req.prompt }] }],
        config: {
          ...(req.system ? { systemInstruction: req.system } : {}),
          maxOutputTokens: req.maxTokens,
          ...(temperature !== undefined ? { temperature } : {}),
          ...(this.options.thinkingBudget !== undefined
            ? { thinkingConfig: { thinkingBudget: this.options.thinkingBudget } }
            : {}),
          ...(req.signal ? { abortSignal: req.signal } : {}),
        },
      });
    } catch (err) {
      throw geminiFailure(err, this.name, apiKey, req.signal);
    }
    checkGeminiBlocked(res, this.name, apiKey);
    const candidate = res.candidates?.[0];
    const text = (candidate?.content?.parts ?? [])
      .filter((p) => typeof p.text === 'string' && !p.thought)
      .map((p) => p.text)
      .join('')
      .trim();
    const finish = candidate?.finishReason;
    if (!text && finish !== 'MAX_TOKENS') {
      throw new ProviderError({
        kind: 'transient',
        provider: this.name,
        message: `Gemini returned no text (finish reason ${finish ?? 'none'}); Bolt retries on its own.`,
      });
    }
    const usage = res.usageMetadata;
    return {
      text,
      finishReason: finish === 'MAX_TOKENS' ? 'length' : 'stop',
      tokensIn: usage?.promptTokenCount ?? 0,
      tokensOut: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
      model,
    };
  }
}
