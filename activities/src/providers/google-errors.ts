// Google-style errors: the Gemini API (through @google/genai) and Cloud Text-to-Speech (through gax).
import { isVoiceProblem, messageOf, ProviderError, providerError, safetyPattern } from './errors.ts';

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
    return providerError('transient', provider, messageOf(err), apiKey);
  }
  const { status, grpc, message, details, reason } = facts;
  const extra: { status?: number; retryAfterMs?: number } = {};
  if (status !== undefined) extra.status = status;
  if (status === 429 || grpc === 'RESOURCE_EXHAUSTED') {
    const retryAfterMs = googleRetryAfter(details);
    if (retryAfterMs !== undefined) extra.retryAfterMs = retryAfterMs;
    return providerError('rate-limited', provider, message, apiKey, extra);
  }
  if (
    status === 401 ||
    grpc === 'UNAUTHENTICATED' ||
    reason === 'API_KEY_INVALID' ||
    /API key not valid|API key expired|API_KEY_INVALID/i.test(message)
  )
    return providerError('invalid-key', provider, message, apiKey, extra);
  if (status === 403 || grpc === 'PERMISSION_DENIED')
    return providerError('permission', provider, message, apiKey, extra);
  if (
    (status !== undefined && (status >= 500 || status === 408)) ||
    ['UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED', 'UNKNOWN', 'ABORTED', 'DATA_LOSS', 'CANCELLED'].includes(
      grpc ?? '',
    )
  )
    return providerError('transient', provider, message, apiKey, extra);
  if (isVoiceProblem(message)) return providerError('unsupported-voice', provider, message, apiKey, extra);
  if (safetyPattern.test(message)) return providerError('safety', provider, message, apiKey, extra);
  return providerError('bad-request', provider, message, apiKey, extra);
}
