// The UI language, as reactive state: components that call t() re-render when it changes.
import { type Locale, pickLocale, translate } from './i18n.ts';

const KEY = 'bolt.locale';
let current = $state<Locale>(
  pickLocale(localStorage.getItem(KEY), navigator.languages ?? [navigator.language]),
);
document.documentElement.lang = current;

export const locale = {
  get value(): Locale {
    return current;
  },
  set(next: Locale) {
    current = next;
    localStorage.setItem(KEY, next);
    document.documentElement.lang = next;
  },
};

export const t = (text: string, params?: Record<string, string | number>) => translate(current, text, params);
