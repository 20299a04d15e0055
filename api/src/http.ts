import { ProviderError, providerLabel, UnsupportedVoiceError } from '@bolt/activities/providers';
import { JobError } from '@bolt/jobs';
import type { Context, Next } from 'koa';
import { type ZodType, z } from 'zod';

/** An error a client can act on: status, a stable code and a message (never a stack trace). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

const statusOfJobError: Record<JobError['kind'], number> = { 'not-found': 404, conflict: 409, invalid: 400 };

/** A job operation's refusal as the HTTP answer that says it. */
const fromJobError = (err: JobError) =>
  new HttpError(statusOfJobError[err.kind], err.code, err.message, err.fields);

/**
 * A model or speech provider's failure as the API says it: 503 when it could not answer now (rate
 * limited, with Retry-After when it said how long; or unreachable), 422 for a voice it does not have,
 * 502 for any other refusal. Never its status as ours: its 401 is not the user's session expiring.
 * The message and reason come from the classifier, which removed the key.
 */
export function fromProviderError(err: ProviderError): HttpError {
  const name = providerLabel(err.provider);
  const said = err.detail ? ` (${name} said: ${err.detail})` : '';
  const retryAfter =
    err.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(err.retryAfterMs / 1000));
  const details = {
    provider: err.provider,
    kind: err.kind,
    ...(err.status !== undefined ? { status: err.status } : {}),
    reason: err.detail ?? err.message,
    ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}),
  };
  const code = `provider_${err.kind.replace(/-/g, '_')}`;
  if (err.kind === 'rate-limited') {
    const wait = retryAfter === undefined ? 'shortly' : `in ${retryAfter} s`;
    return new HttpError(
      503,
      code,
      `${name} is rate-limiting this key now; try again ${wait}.${said}`,
      details,
    );
  }
  if (err.kind === 'transient')
    return err.status === undefined
      ? new HttpError(
          503,
          'provider_unavailable',
          `${name} could not be reached; try again shortly.${said}`,
          details,
        )
      : new HttpError(502, code, `${name} failed (HTTP ${err.status}); try again shortly.${said}`, details);
  return new HttpError(err.kind === 'unsupported-voice' ? 422 : 502, code, err.message, details);
}

const codeByStatus: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** Every error becomes `{ error: { code, message, details? } }` with its status; unknown ones are 500s. */
export function errorHandler(onUnexpected: (err: unknown, ctx: Context) => void) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw notFound('route');
      // The routers answer a method they do not serve (TRACE…) with a bare 501: it is the client's 405.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined)
        throw new HttpError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
    } catch (thrown) {
      const err =
        thrown instanceof ProviderError
          ? fromProviderError(thrown)
          : isOutage(thrown)
            ? new HttpError(503, 'unavailable', 'A backing service is unreachable; try again shortly')
            : thrown instanceof JobError
              ? fromJobError(thrown)
              : thrown instanceof UnsupportedVoiceError
                ? new HttpError(422, 'unsupported_voice', thrown.message)
                : (thrown as Error & { status?: number });
      // Middleware (body parser, koa-jwt, koa itself) signal client errors with a 4xx `status`.
      const known = err instanceof HttpError;
      const status =
        known || (err.status && err.status >= 400 && err.status < 500) ? (err.status as number) : 500;
      if (status === 500) onUnexpected(thrown, ctx);
      const details = known ? err.details : undefined;
      const retryAfter = (details as { retry_after?: number } | undefined)?.retry_after;
      if (retryAfter) ctx.set('Retry-After', String(retryAfter));
      ctx.status = status;
      ctx.body = {
        error: {
          code: known ? err.code : (codeByStatus[status] ?? 'internal'),
          message:
            status === 500
              ? 'Internal server error'
              : known || status !== 400
                ? err.message
                : `Malformed request: ${err.message}`,
          ...(details !== undefined ? { details } : {}),
        },
      };
    }
  };
}

const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P03',
  '08006',
  '08001',
]);

/** The database or Temporal cannot be reached (as opposed to a bug): the client should retry. */
function isOutage(err: unknown): boolean {
  const e = err as { code?: string | number; name?: string; cause?: unknown };
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.code === 'string' && OUTAGE_CODES.has(e.code)) return true;
  if (e.code === 14) return true; // gRPC UNAVAILABLE from Temporal
  return e.cause !== undefined && e.cause !== err && isOutage(e.cause);
}

/**
 * A field the request got wrong: `message` in English for people, and for clients that say it their
 * own way (the web app, in its language) zod's issue `code`, what was measured (`origin`: string,
 * number, array…) and the `limit` it missed (zod's minimum or maximum).
 */
export interface FieldError {
  field: string;
  message: string;
  code?: string;
  origin?: string;
  limit?: number;
}

const invalid = (fields: FieldError[]) =>
  new HttpError(
    400,
    'invalid_request',
    `Invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
    fields,
  );

/** Where a value holds a NUL character (in a string or a key), which no text column can store. */
function nulAt(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const at = key.includes('\0') ? [...path, key] : nulAt(inner, [...path, key]);
    if (at) return at;
  }
  return undefined;
}

/** Parses input with a zod schema; a failure is a 400 naming each field. */
export function parse<S extends ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw invalid(
      result.error.issues.map((i) => ({
        field: i.path.join('.') || '(body)',
        message: i.message,
        code: i.code,
        ...('origin' in i && typeof i.origin === 'string' ? { origin: i.origin } : {}),
        ...(i.code === 'too_small' ? { limit: Number(i.minimum) } : {}),
        ...(i.code === 'too_big' ? { limit: Number(i.maximum) } : {}),
      })),
    );
  const nul = nulAt(result.data);
  if (nul) throw invalid([{ field: nul.join('.') || '(body)', message: 'must not contain NUL characters' }]);
  return result.data;
}

/** A path id that is not a UUID cannot name anything: 404, as for an id of another user. */
export function idParam(value: string | undefined, what: string): string {
  if (!z.uuid().safeParse(value).success) throw notFound(what);
  return value as string;
}
