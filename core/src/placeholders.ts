// Texts with `{name}` placeholders, as the web app's translations and core's messages write them.
const PLACEHOLDER = /\{(\w+)\}/g;

/** `text` with each `{name}` it has a param for filled in; others stay as written. */
export const fillPlaceholders = (text: string, params?: Record<string, string | number>): string =>
  params ? text.replace(PLACEHOLDER, (m, k: string) => (k in params ? String(params[k]) : m)) : text;

/** The `{name}` placeholders of a text, sorted (a translation must keep the same ones). */
export const placeholders = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]).sort();
