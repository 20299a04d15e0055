// What a form says about a field it cannot send: the same checks as the server (core's schemas) and
// the server's own field errors, both as one human message per field in the UI language.
import { type ZodType, z } from 'zod';

/** One problem with a field: zod's issue code, what was measured, the limit and the length it had. */
export interface FieldIssue {
  code: string;
  /** string (its characters), number, array… */
  origin?: string;
  limit?: number;
  /** A text's length now, when known (the server does not send it back). */
  length?: number;
}

/** The fewest and most characters a text field of a core schema takes (through `.default()`, `.optional()`). */
export function textLimits(schema: ZodType): { min: number; max: number } {
  let inner: unknown = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap();
  if (!(inner instanceof z.ZodString) || inner.maxLength === null) throw new Error('not a text with a limit');
  return { min: inner.minLength ?? 0, max: inner.maxLength };
}

type Translate = (text: string, params?: Record<string, string | number>) => string;

/** The first issue per field (its path joined by dots) of `value` checked by `schema`. */
export function checkFields(schema: ZodType, value: unknown): Record<string, FieldIssue> {
  const result = schema.safeParse(value, { reportInput: true });
  const issues: Record<string, FieldIssue> = {};
  if (result.success) return issues;
  for (const i of result.error.issues) {
    const field = i.path.join('.');
    if (field in issues) continue;
    const origin = 'origin' in i && typeof i.origin === 'string' ? i.origin : undefined;
    const limit = i.code === 'too_small' ? i.minimum : i.code === 'too_big' ? i.maximum : undefined;
    issues[field] = {
      code: i.code,
      origin,
      limit: limit === undefined ? undefined : Number(limit),
      length: typeof i.input === 'string' ? i.input.length : undefined,
    };
  }
  return issues;
}

/**
 * The message for an issue, next to its field (so it need not name the field): lengths in characters
 * with the length now when known, "fill this in" for an empty field. `t` is the UI's translator.
 */
export function fieldMessage(issue: FieldIssue, t: Translate): string {
  const { code, origin, limit, length } = issue;
  const text = origin === undefined || origin === 'string';
  if (code === 'too_small' && text)
    return limit === undefined || limit <= 1 || length === 0
      ? t('Fill this in.')
      : length === undefined
        ? t('At least {min} characters.', { min: limit })
        : t('At least {min} characters — {length} now.', { min: limit, length });
  if (code === 'too_big' && text && limit !== undefined)
    return length === undefined
      ? t('Up to {max} characters.', { max: limit })
      : t('Up to {max} characters — {length} now.', { max: limit, length });
  if (code === 'too_small' && origin === 'array') return t('Pick at least {min}.', { min: limit ?? 1 });
  if (code === 'too_big' && origin === 'array') return t('Pick up to {max}.', { max: limit ?? 1 });
  if (code === 'too_small' && limit !== undefined) return t('Enter {min} or more.', { min: limit });
  if (code === 'too_big' && limit !== undefined) return t('Enter {max} or less.', { max: limit });
  if (code === 'invalid_type') return t('Fill this in.');
  if (code === 'invalid_value') return t('Choose one of the options.');
  if (code === 'invalid_format') return t('Check the format.');
  return t('This value is not accepted.');
}

/**
 * The server's field errors (`details` of a 400), as messages by field: the ones it gave an issue code
 * said as `fieldMessage` says them, any other (a voice the provider lacks…) as the server wrote it.
 */
export function serverFieldMessages(details: unknown, t: Translate): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as Array<{ field?: string; message?: string } & Partial<FieldIssue>>)
    if (d.field && d.message) out[d.field] = d.code ? fieldMessage(d as FieldIssue, t) : d.message;
  return out;
}

/** A text field's counter, "12 / 120", over when past the limit. */
export const counter = (length: number, max: number) => ({ text: `${length} / ${max}`, over: length > max });

/** The ARIA attributes of a field: invalid when it has an error, described by its error and help. */
export function fieldAria(
  id: string,
  error: string | undefined,
  ...described: Array<string | false | undefined>
) {
  const ids = [...described, error && `${id}-error`].filter(Boolean);
  return {
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined,
  };
}
