import { applyRules, type Rule } from './common.ts';
import { german } from './de.ts';
import { english } from './en.ts';
import { spanish } from './es.ts';
import { french } from './fr.ts';
import { italian } from './it.ts';
import { portuguese } from './pt.ts';

const LOCALES: Record<string, () => Rule[]> = {
  'pt-BR': () => portuguese('BR'),
  'pt-PT': () => portuguese('PT'),
  'en-US': () => english('US'),
  'en-GB': () => english('GB'),
  'es-ES': () => spanish('ES'),
  'es-MX': () => spanish('MX'),
  'fr-FR': french,
  'de-DE': german,
  'it-IT': italian,
};

/** The locale whose rules serve `language`: its own, or else its language's first ("pt" is pt-BR). */
function localeOf(language: string): string | undefined {
  const tag = language.replace(/_/g, '-').toLowerCase();
  const locales = Object.keys(LOCALES);
  const primary = tag.split('-')[0];
  return (
    locales.find((locale) => locale.toLowerCase() === tag) ?? locales.find((l) => l.startsWith(`${primary}-`))
  );
}

const built = new Map<string, Rule[]>();

/** Text as a voice should say it in `language` (BCP-47). Languages without rules come back unchanged. */
export function toSpoken(text: string, language: string): { text: string; supported: boolean } {
  const locale = localeOf(language);
  const make = locale === undefined ? undefined : LOCALES[locale];
  if (!locale || !make) return { text, supported: false };
  let rules = built.get(locale);
  if (!rules) {
    rules = make();
    built.set(locale, rules);
  }
  return { text: applyRules(text, rules), supported: true };
}
