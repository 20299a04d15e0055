// OpenAI-style errors (the openai SDK's APIError family), for OpenAI and every compatible server.
import { isVoiceProblem, messageOf, ProviderError, providerError, safetyPattern } from './errors.ts';

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

function openAiRetryAfter(headers: unknown): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined && Number.isFinite(Number(ms))) return Math.round(Number(ms));
  const after = headerValue(headers, 'retry-after');
  if (after === undefined) return undefined;
  if (Number.isFinite(Number(after))) return Math.round(Number(after) * 1000);
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Classifies any error thrown by the openai SDK. */
export function classifyOpenAiError(provider: string, err: unknown, apiKey?: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as {
    status?: unknown;
    headers?: unknown;
    code?: unknown;
    type?: unknown;
    param?: unknown;
    error?: { message?: unknown };
  };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const message =
    typeof e.error?.message === 'string' ? e.error.message : messageOf(err).replace(/^\d{3}\s+/, '');
  if (status === undefined) return providerError('transient', provider, message, apiKey);
  const code = typeof e.code === 'string' ? e.code : '';
  const extra: { status?: number; retryAfterMs?: number } = { status };
  if (status === 429) {
    const retryAfterMs = openAiRetryAfter(e.headers);
    if (retryAfterMs !== undefined) extra.retryAfterMs = retryAfterMs;
    return providerError('rate-limited', provider, message, apiKey, extra);
  }
  if (status === 401 || code === 'invalid_api_key')
    return providerError('invalid-key', provider, message, apiKey, extra);
  if (status === 403) return providerError('permission', provider, message, apiKey, extra);
  if (status >= 500 || status === 408 || status === 409)
    return providerError('transient', provider, message, apiKey, extra);
  if (e.param === 'voice' || isVoiceProblem(message))
    return providerError('unsupported-voice', provider, message, apiKey, extra);
  if (code === 'content_policy_violation' || code === 'content_filter' || safetyPattern.test(message))
    return providerError('safety', provider, message, apiKey, extra);
  return providerError('bad-request', provider, message, apiKey, extra);
}
