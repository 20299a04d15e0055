import { fillPlaceholders } from '@bolt/core/placeholders';
import { ptBR } from './locales/pt-BR.ts';

/** The UI languages. Texts are written in English in the code; other languages map them. */
export const locales = [
  { value: 'en', label: 'English' },
  { value: 'pt-BR', label: 'Português (Brasil)' },
] as const;
export type Locale = (typeof locales)[number]['value'];

const dictionaries: Record<Locale, Record<string, string>> = { en: {}, 'pt-BR': ptBR };

/** The locale to start in: a stored choice, else the browser's language. */
export function pickLocale(stored: string | null, browser: readonly string[]): Locale {
  if (stored === 'en' || stored === 'pt-BR') return stored;
  return browser.some((l) => l.toLowerCase().startsWith('pt')) ? 'pt-BR' : 'en';
}

/** `text` in `locale` (the English text when there is no translation), with `{name}` placeholders filled. */
export function translate(locale: Locale, text: string, params?: Record<string, string | number>): string {
  return fillPlaceholders(dictionaries[locale][text] ?? text, params);
}
