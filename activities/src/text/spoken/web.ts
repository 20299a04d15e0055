import type { Rule } from './common.ts';

/** How a language reads the symbols of an address. */
export interface Symbols {
  dot: string;
  at: string;
  slash: string;
  dash: string;
  underscore: string;
}

/** Top-level domains common enough that "name.tld" without "www." is taken for an address. */
const DOMAINS = 'com|org|net|edu|gov|info|io|app|dev|tv|eu|br|pt|es|mx|ar|fr|de|at|ch|it|uk|us|ca';

const EMAIL = String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`;
const HOST = String.raw`\p{L}[\p{L}\p{N}-]*(?:\.[\p{L}\p{N}-]+)*`;
const WEB_ADDRESS = String.raw`(?<![\p{L}\p{N}.@/-])(?:https?:\/\/${HOST}|(?:www\.)?${HOST}\.(?:${DOMAINS})(?![\p{L}\p{N}-]))(?:\/[^\s]*[^\s.,;:!?)\]'"»])?\/?`;

/** Web addresses and e-mail addresses read out: "ana@mail.com" is "ana arroba mail ponto com". */
export function addresses(symbols: Symbols): Rule {
  const names: Record<string, string> = {
    '.': symbols.dot,
    '@': symbols.at,
    '/': symbols.slash,
    '-': symbols.dash,
    _: symbols.underscore,
  };
  return {
    pattern: new RegExp(`${EMAIL}|${WEB_ADDRESS}`, 'gu'),
    say: (_, address) =>
      address
        .replace(/^https?:\/\//, '')
        .replace(/\/$/, '')
        .split(/([.@/_-])/)
        .filter(Boolean)
        .map((part) => names[part] ?? part)
        .join(' '),
  };
}
