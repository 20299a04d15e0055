import { type CredentialProvider, credentialProviderNames, providerFailureType } from '@bolt/core';
import { ApplicationFailure } from '@temporalio/common';

/**
 * What went wrong with a call to a model or speech provider, in the terms the job needs: whether to
 * retry (and when), or what the user has to fix.
 */
export type ProviderErrorKind =
  | 'rate-limited'
  | 'transient'
  | 'invalid-key'
  | 'permission'
  | 'bad-request'
  | 'safety'
  | 'unsupported-voice';

export interface ProviderErrorInit {
  kind: ProviderErrorKind;
  /** Which provider answered: `gemini`, `google-tts`, `openai`, … */
  provider: string;
  message: string;
  /** How long the provider asked us to wait before trying again. */
  retryAfterMs?: number;
  /** The HTTP status the provider answered with, when there was one. */
  status?: number;
  /** The provider's own message (keys removed), for logs and support. */
  detail?: string;
}

/**
 * A provider call that failed. The message says what the user can do about it and never contains the
 * API key. The SDK's own error is deliberately not kept as `cause`: it can carry request headers.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly detail?: string;

  constructor(init: ProviderErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.provider = init.provider;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.status !== undefined) this.status = init.status;
    if (init.detail !== undefined) this.detail = init.detail;
  }
}

/** Whether trying the same call again later can succeed. */
export function isRetryable(kind: ProviderErrorKind): boolean {
  return kind === 'rate-limited' || kind === 'transient';
}

/**
 * The error as a Temporal failure: type `ProviderError:<kind>`, non-retryable unless retrying can
 * help, and the provider's requested wait as the next retry delay.
 */
export function toApplicationFailure(err: ProviderError): ApplicationFailure {
  return ApplicationFailure.create({
    message: err.message,
    type: providerFailureType(err.kind),
    nonRetryable: !isRetryable(err.kind),
    nextRetryDelay: err.retryAfterMs,
    details: [{ kind: err.kind, provider: err.provider, status: err.status, retryAfterMs: err.retryAfterMs }],
  });
}

/** How a provider is named to users ("Google Cloud Text-to-Speech" for `google-tts`). */
export function providerLabel(provider: string): string {
  return credentialProviderNames[provider as CredentialProvider] ?? provider;
}

/** Removes the key (and anything shaped like a provider key) from text that may be shown or logged. */
export function redactKey(text: string, apiKey?: string): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[key]');
  return out
    .replace(/AIza[0-9A-Za-z_-]{20,}/g, '[key]')
    .replace(/\bsk-[A-Za-z0-9_*-]{8,}/g, '[key]')
    .replace(/([?&]key=)[^&\s"']+/g, '$1[key]')
    .replace(/(API key provided:?\s*)[^\s.,]+/gi, '$1[key]');
}

function brief(text: string, apiKey?: string): string {
  const clean = redactKey(text, apiKey).replace(/\s+/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}

/** The user-facing sentence for each kind; `detail` is the provider's own (redacted) words. */
function describe(
  kind: ProviderErrorKind,
  provider: string,
  detail: string,
  extra: { status?: number; retryAfterMs?: number },
) {
  const name = providerLabel(provider);
  const said = detail ? ` (${name} said: ${detail})` : '';
  switch (kind) {
    case 'rate-limited': {
      const wait =
        extra.retryAfterMs !== undefined ? ` It asked to wait ${Math.ceil(extra.retryAfterMs / 1000)}s.` : '';
      return `${name} is rate-limiting this key or its quota is used up.${wait} Bolt retries on its own; if this keeps happening, raise the key's quota or enable billing for it.${said}`;
    }
    case 'transient':
      return `${name} failed temporarily${extra.status ? ` (HTTP ${extra.status})` : ''}; Bolt retries on its own.${said}`;
    case 'invalid-key':
      return `${name} rejected the API key: add a valid key under Credentials.${said}`;
    case 'permission':
      return `${name} refused this key permission for the request: enable the API for the key's project (or lift the key's restrictions), or use another key under Credentials.${said}`;
    case 'safety':
      return `${name} blocked the content on safety grounds: reword the title or the agent's prompts and run the job again.${said}`;
    case 'unsupported-voice':
      return `${name} does not have the requested voice: pick another voice for this language in the agent.${said}`;
    default:
      return `${name} rejected the request as invalid: check the agent's model and settings.${said}`;
  }
}

/** A ProviderError with the sentence for its kind and the provider's own words, key removed. */
export function providerError(
  kind: ProviderErrorKind,
  provider: string,
  rawDetail: string,
  apiKey: string | undefined,
  extra: { status?: number; retryAfterMs?: number } = {},
): ProviderError {
  const detail = brief(rawDetail, apiKey);
  return new ProviderError({
    kind,
    provider,
    message: describe(kind, provider, detail, extra),
    detail,
    ...extra,
  });
}

/** A refusal that is not an error response (e.g. a 200 whose finish reason is SAFETY). */
export function safetyError(provider: string, reason: string, apiKey?: string): ProviderError {
  return providerError('safety', provider, reason, apiKey);
}

/** A reply that came back but was unusable (e.g. no audio in it); worth another try. */
export function emptyReplyError(provider: string, reason: string, apiKey?: string): ProviderError {
  return providerError('transient', provider, reason, apiKey);
}

/** The text of whatever an SDK threw. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}

export const safetyPattern =
  /\bsafety\b|prohibited|harmful|sensitive content|content polic|flagged|blocklist|content_filter/i;
const voiceProblem =
  /not exist|not found|not supported|unsupported|invalid|unknown|misspell|supported values|no voice/i;
/** Whether a provider's message says the requested voice does not exist or does not fit. */
export const isVoiceProblem = (message: string) => /voice/i.test(message) && voiceProblem.test(message);
