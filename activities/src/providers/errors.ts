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
    type: `ProviderError:${err.kind}`,
    nonRetryable: !isRetryable(err.kind),
    nextRetryDelay: err.retryAfterMs,
    details: [{ kind: err.kind, provider: err.provider, status: err.status, retryAfterMs: err.retryAfterMs }],
  });
}

const labels: Record<string, string> = {
  gemini: 'Gemini',
  'google-tts': 'Google Cloud Text-to-Speech',
  openai: 'OpenAI',
};

function label(provider: string): string {
  return labels[provider] ?? provider;
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
  const name = label(provider);
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

function make(
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
  return make('safety', provider, reason, apiKey);
}

/** A reply that came back but was unusable (e.g. no audio in it); worth another try. */
export function emptyReplyError(provider: string, reason: string, apiKey?: string): ProviderError {
  return make('transient', provider, reason, apiKey);
}

// ---------------------------------------------------------------------------------------------------
// What every SDK error is made of.

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}

const safetyPattern =
  /\bsafety\b|prohibited|harmful|sensitive content|content polic|flagged|blocklist|content_filter/i;
const voicePattern = /voice/i;
const voiceProblem =
  /not exist|not found|not supported|unsupported|invalid|unknown|misspell|supported values|no voice/i;

function retryDelayMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    return m ? Math.round(Number(m[1]) * 1000) : undefined;
  }
  if (value && typeof value === 'object') {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const s = Number(seconds ?? 0);
    const n = Number(nanos ?? 0);
    if (Number.isFinite(s) && Number.isFinite(n)) return Math.round(s * 1000 + n / 1e6);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Google-style errors: the Gemini API (through @google/genai) and Cloud Text-to-Speech (through gax).

const grpcNames = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

const grpcToHttp: Record<string, number> = {
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

interface GoogleFacts {
  status?: number;
  grpc?: string;
  message: string;
  details: unknown[];
  reason?: string;
}

/** Reads a google.rpc.Status out of whatever the SDK threw (a JSON message, or gax's GoogleError). */
function googleFacts(err: unknown): GoogleFacts | undefined {
  const e = err as {
    status?: unknown;
    code?: unknown;
    message?: unknown;
    details?: unknown;
    statusDetails?: unknown;
    reason?: unknown;
  };
  const facts: GoogleFacts = { message: messageOf(err), details: [] };
  if (typeof e.status === 'number') facts.status = e.status;
  // @google/genai puts the whole JSON error body into the message.
  const text = typeof e.message === 'string' ? e.message.trim() : '';
  const jsonStart = text.indexOf('{');
  if (jsonStart >= 0) {
    try {
      const body = JSON.parse(text.slice(jsonStart)) as { error?: Record<string, unknown> };
      const inner = body.error ?? (body as Record<string, unknown>);
      if (typeof inner.message === 'string') facts.message = inner.message;
      if (typeof inner.status === 'string') facts.grpc = inner.status;
      if (typeof inner.code === 'number') facts.status ??= inner.code;
      if (Array.isArray(inner.details)) facts.details.push(...inner.details);
    } catch {
      // Not JSON after all: keep the message as it is.
    }
  }
  // gax (REST fallback) throws GoogleError: a numeric gRPC code, decoded details, ErrorInfo reason.
  if (typeof e.code === 'number' && e.code > 0 && e.code < grpcNames.length && facts.status === undefined) {
    facts.grpc = grpcNames[e.code];
    facts.status = grpcToHttp[facts.grpc ?? ''];
  }
  if (Array.isArray(e.statusDetails)) facts.details.push(...e.statusDetails);
  if (Array.isArray(e.details)) facts.details.push(...e.details);
  if (typeof e.reason === 'string') facts.reason = e.reason;
  if (facts.status === undefined && facts.grpc === undefined) return undefined;
  if (facts.grpc === undefined && facts.status !== undefined) {
    facts.grpc = Object.entries(grpcToHttp).find(([, s]) => s === facts.status)?.[0];
  }
  for (const d of facts.details) {
    const reason = (d as { reason?: unknown })?.reason;
    if (typeof reason === 'string') facts.reason ??= reason;
  }
  return facts;
}

function googleRetryAfter(details: unknown[]): number | undefined {
  for (const d of details) {
    const o = d as { '@type'?: unknown; retryDelay?: unknown };
    if (o && o.retryDelay !== undefined) {
      const ms = retryDelayMs(o.retryDelay);
      if (ms !== undefined) return ms;
    }
  }
  return undefined;
}

/** Classifies any error thrown by a Google client (Gemini API, Cloud Text-to-Speech). */
export function classifyGoogleError(provider: string, err: unknown, apiKey?: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const facts = googleFacts(err);
  if (!facts) {
    // No response at all: a reset, a refused connection, a timeout or a cut-off body.
    // Whatever else went wrong on the way is worth another attempt too.
    return make('transient', provider, messageOf(err), apiKey);
  }
  const { status, grpc, message, details, reason } = facts;
  const extra: { status?: number; retryAfterMs?: number } = {};
  if (status !== undefined) extra.status = status;
  if (status === 429 || grpc === 'RESOURCE_EXHAUSTED') {
    const retryAfterMs = googleRetryAfter(details);
    if (retryAfterMs !== undefined) extra.retryAfterMs = retryAfterMs;
    return make('rate-limited', provider, message, apiKey, extra);
  }
  if (
    status === 401 ||
    grpc === 'UNAUTHENTICATED' ||
    reason === 'API_KEY_INVALID' ||
    /API key not valid|API key expired|API_KEY_INVALID/i.test(message)
  )
    return make('invalid-key', provider, message, apiKey, extra);
  if (status === 403 || grpc === 'PERMISSION_DENIED')
    return make('permission', provider, message, apiKey, extra);
  if (
    (status !== undefined && (status >= 500 || status === 408)) ||
    ['UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED', 'UNKNOWN', 'ABORTED', 'DATA_LOSS', 'CANCELLED'].includes(
      grpc ?? '',
    )
  )
    return make('transient', provider, message, apiKey, extra);
  if (voicePattern.test(message) && voiceProblem.test(message))
    return make('unsupported-voice', provider, message, apiKey, extra);
  if (safetyPattern.test(message)) return make('safety', provider, message, apiKey, extra);
  return make('bad-request', provider, message, apiKey, extra);
}

// ---------------------------------------------------------------------------------------------------
// OpenAI-style errors (the openai SDK's APIError family).

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
  if (status === undefined) return make('transient', provider, message, apiKey);
  const code = typeof e.code === 'string' ? e.code : '';
  const extra: { status?: number; retryAfterMs?: number } = { status };
  if (status === 429) {
    const retryAfterMs = openAiRetryAfter(e.headers);
    if (retryAfterMs !== undefined) extra.retryAfterMs = retryAfterMs;
    return make('rate-limited', provider, message, apiKey, extra);
  }
  if (status === 401 || code === 'invalid_api_key')
    return make('invalid-key', provider, message, apiKey, extra);
  if (status === 403) return make('permission', provider, message, apiKey, extra);
  if (status >= 500 || status === 408 || status === 409)
    return make('transient', provider, message, apiKey, extra);
  if (e.param === 'voice' || (voicePattern.test(message) && voiceProblem.test(message)))
    return make('unsupported-voice', provider, message, apiKey, extra);
  if (code === 'content_policy_violation' || code === 'content_filter' || safetyPattern.test(message))
    return make('safety', provider, message, apiKey, extra);
  return make('bad-request', provider, message, apiKey, extra);
}
