/** Grammatical gender of the noun a number or ordinal agrees with; German neuter counts as masculine. */
export type Gender = 'masculine' | 'feminine';

/** A noun counted by a number: a unit, a currency. */
export interface Noun {
  one: string;
  many: string;
  gender: Gender;
}

/** A written number, split: "-1.500,25" in Portuguese is { negative, int: 1500, frac: '25' }. */
export interface Amount {
  negative: boolean;
  int: number;
  frac: string;
}

/** How a language writes and says numbers. */
export interface Numbers {
  /** Separators as written: the group separators (a character class body) and the decimal one. */
  group: string;
  decimal: ',' | '.';
  cardinal(n: number, gender?: Gender): string;
  /** The cardinal said before a noun: Spanish "un euro", German "ein Kilometer". */
  beforeNoun(n: number, gender: Gender): string;
  ordinal(n: number, gender?: Gender): string;
  /** The word for the decimal separator, and how the digits after it are read. */
  point: string;
  fraction(digits: string): string;
  minus: string;
  /** Whether a noun after this amount takes its plural form. */
  plural(amount: Amount): boolean;
  /** Number words followed by a noun: "um milhão de reais", "un'ora". */
  join(words: string, noun: string): string;
}

export type Groups = Record<string, string | undefined>;

/** A replacement: `say` gets the named groups, the whole match and the text after and before it. */
export interface Rule {
  pattern: RegExp;
  say(groups: Groups, match: string, rest: string, before: string): string;
}

/** Not preceded by a letter, digit or underscore: the start of a token. */
export const START = String.raw`(?<![\p{L}\p{N}_])`;
/** The start of a number: not inside a word, nor after "2," or "2." (the digits of "2,5" are one number). */
export const NUMBER_START = String.raw`(?<![\p{L}\p{N}_]|\p{N}[.,])`;
/** Not followed by a letter, digit or underscore: the end of a token. */
export const END = String.raw`(?![\p{L}\p{N}_])`;

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for any of the words, longest first so that "Sig.ra" wins over "Sig.". */
export const anyOf = (words: readonly string[]) =>
  [...words]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');

/**
 * A written number in the language's format, with an optional sign when it stands alone ("-5", not the
 * hyphen of "COVID-19"). Digits after a letter ("MP3") are not a number, and neither is a run the format
 * cannot read whole ("1.5000" in Portuguese).
 */
export function amountPattern(numbers: Numbers): string {
  const point = escapeRegExp(numbers.decimal);
  const digits = String.raw`\d{1,3}(?:[${numbers.group}]\d{3})+(?:${point}\d+)?|\d+(?:${point}\d+)?`;
  return String.raw`(?:(?<=^|[\s(\[])[-−])?${NUMBER_START}(?:${digits})(?!\p{N}|[.,]\d)`;
}

/** Numbers up to a thousand million million: beyond that a text has no business spelling them. */
const LARGEST = 1e15;

/** A number matched by `amountPattern`, split; undefined when too large to say. */
export function parseAmount(written: string, numbers: Numbers): Amount | undefined {
  const [int = '', frac = ''] = written
    .replace(new RegExp(`[^\\d${escapeRegExp(numbers.decimal)}]`, 'g'), '')
    .split(numbers.decimal);
  const value = Number(int);
  if (!(value < LARGEST)) return undefined;
  return { negative: /^[-−]/.test(written), int: value, frac };
}

/** An amount in words; before a noun when `noun` is set. */
export function say(numbers: Numbers, amount: Amount, gender: Gender = 'masculine', noun = false): string {
  const whole =
    noun && !amount.frac ? numbers.beforeNoun(amount.int, gender) : numbers.cardinal(amount.int, gender);
  const fraction = amount.frac ? ` ${numbers.point} ${numbers.fraction(amount.frac)}` : '';
  return `${amount.negative ? `${numbers.minus} ` : ''}${whole}${fraction}`;
}

/** An amount of something: "dois quilômetros", "one pound". */
export function count(numbers: Numbers, amount: Amount, noun: Noun): string {
  const words = say(numbers, amount, noun.gender, true);
  return numbers.join(words, numbers.plural(amount) ? noun.many : noun.one);
}

/** Decimals as Romance languages read them: "3,05" is "três vírgula zero cinco". */
export function wholeFraction(cardinal: (n: number) => string) {
  return (digits: string) => {
    const zeros = digits.match(/^0*/)?.[0].length ?? 0;
    const rest = digits.slice(zeros);
    return [...Array<string>(zeros).fill(cardinal(0)), ...(rest ? [cardinal(Number(rest))] : [])].join(' ');
  };
}

/** Decimals read digit by digit, as in English and German: "3.14" is "three point one four". */
export function digitFraction(cardinal: (n: number) => string) {
  return (digits: string) => [...digits].map((digit) => cardinal(Number(digit))).join(' ');
}

export const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** Whether text after `before` starts a sentence. */
export const startsSentence = (before: string) => /(?:^|[.!?…]["»”)]?\s+|\n)\s*$/u.test(before);

/** A word written after `before`: capitalised if it starts a sentence. */
export const inSentence = (word: string, before: string) =>
  startsSentence(before) ? capitalise(word) : word;

/** Whether a period written at the end of a match also ends the sentence. */
export const endsSentence = (rest: string) => /^(?:\s*$|\s*\n|\s+\p{Lu})/u.test(rest);

/** Women's names that don't end in "a", and men's names that do, among rulers and saints. */
const FEMININE = new Set([
  'Isabel',
  'Elizabeth',
  'Elisabeth',
  'Élisabeth',
  'Leonor',
  'Beatriz',
  'Inês',
  'Inés',
  'Ester',
  'Carmen',
  'Mercedes',
  'Catherine',
  'Christine',
]);
const MASCULINE = new Set(['Luca', 'Nicola', 'Andrea', 'Garcia', 'García', 'Bautista', 'Costa']);

/** Whether a given name, as a ruler's or in "D. Maria", is a woman's. */
export const isFeminineName = (name: string) =>
  FEMININE.has(name) || (name.endsWith('a') && !MASCULINE.has(name));

/** Applies the rules in order. */
export function applyRules(text: string, rules: readonly Rule[]): string {
  return rules.reduce(
    (current, rule) =>
      current.replace(rule.pattern, (...args: unknown[]) => {
        const named = typeof args.at(-1) === 'object';
        const match = args[0] as string;
        const input = args.at(named ? -2 : -1) as string;
        const offset = args.at(named ? -3 : -2) as number;
        const groups = (named ? args.at(-1) : {}) as Groups;
        return rule.say(groups, match, input.slice(offset + match.length), input.slice(0, offset));
      }),
    text,
  );
}
