import {
  type Amount,
  amountPattern,
  anyOf,
  capitalise,
  count,
  END,
  endsSentence,
  type Gender,
  type Noun,
  NUMBER_START,
  type Numbers,
  parseAmount,
  type Rule,
  say,
} from './common.ts';

/** Month names as a pattern, in lower case or capitalised. */
export const monthPattern = (months: readonly string[]) => anyOf([...months, ...months.map(capitalise)]);

export interface DateParts {
  day: number;
  month: number;
  year: number;
  /** The word before the date with its space ("am "), or ''; it is written again before the date. */
  before: string;
}

/** Dates written in numbers: "15/08/1947", "15.08.1947"; `order` is how the locale writes them. */
export function numericDates(order: 'dmy' | 'mdy', sayDate: (date: DateParts) => string): Rule {
  return {
    pattern: new RegExp(
      String.raw`(?<before>\p{L}+\s+)?${NUMBER_START}(?<first>\d{1,2})(?<sep>[/.-])(?<second>\d{1,2})\k<sep>(?<year>\d{4})${END}`,
      'gu',
    ),
    say: ({ before = '', first, second, year }, match) => {
      let [day, month] = order === 'dmy' ? [Number(first), Number(second)] : [Number(second), Number(first)];
      // 15/08/1947 in an American text can only be day first.
      if (month > 12) [day, month] = [month, day];
      if (month < 1 || month > 12 || day < 1 || day > 31) return match;
      return before + sayDate({ day, month, year: Number(year), before: before.trim() });
    },
  };
}

/** The first of a month, said as an ordinal in many languages: "1 de agosto" is "primeiro de agosto". */
export function firstOfMonth(months: readonly string[], link: string, first: string): Rule {
  return {
    pattern: new RegExp(`${NUMBER_START}1(?=${link}(?:${monthPattern(months)})${END})`, 'gu'),
    say: () => first,
  };
}

export type Meridiem = 'am' | 'pm';

export interface Clock {
  say(hour: number, minute: number | undefined, meridiem: Meridiem | undefined): string;
  /** What marks an hour written without minutes, "14h" or "14 Uhr"; English has none. */
  hourMark?: string;
  /** Whether the locale also writes a 12-hour clock, "2:30 pm". */
  twelveHour?: boolean;
}

const MERIDIEM = String.raw`(?<meridiem>[aApP]\.?\s?[mM]\.?)`;

/** Times of day: "14h30", "14:30", "2:30 pm", "14 Uhr". */
export function times({ say: sayTime, hourMark, twelveHour }: Clock): Rule[] {
  const mark = hourMark ? String.raw`(?:\s?(?:${hourMark}))?` : '';
  const meridiem = twelveHour ? String.raw`(?:\s?${MERIDIEM})?` : '';
  const sources = [
    String.raw`${NUMBER_START}(?<hour>\d{1,2})(?::|h|\.(?=\d\d\s?Uhr))(?<minute>[0-5]\d)${meridiem}${mark}${END}`,
    ...(twelveHour ? [String.raw`${NUMBER_START}(?<hour>\d{1,2})\s?${MERIDIEM}${END}`] : []),
    ...(hourMark ? [String.raw`${NUMBER_START}(?<hour>\d{1,2})\s?(?:${hourMark})${END}`] : []),
  ];
  return sources.map((source) => ({
    pattern: new RegExp(source, 'gu'),
    say: ({ hour, minute, meridiem: half }, match, rest) => {
      const h = Number(hour);
      if (h > 24 || (half && (h < 1 || h > 12))) return match;
      const said = sayTime(
        h,
        minute === undefined ? undefined : Number(minute),
        half ? (/^[aA]/.test(half) ? 'am' : 'pm') : undefined,
      );
      // "… at 2 p.m. Then": the period of "p.m." was also the sentence's.
      return match.endsWith('.') && !said.endsWith('.') && endsSentence(rest) ? `${said}.` : said;
    },
  }));
}

export interface Currency extends Noun {
  cents: Noun;
}

export interface Money {
  /** Currencies by the symbol written: "R$", "€", "$". */
  symbols: Record<string, Currency>;
  /** The word between the whole amount and the cents. */
  and: string;
  /** Scale words written after an amount: "R$ 2 milhões", "$3 million". */
  scales: readonly string[];
  /** The gender of those scale words, which the number before them agrees with. */
  scaleGender?: Gender;
}

/** Sums of money, the symbol before or after the amount: "R$ 1.500,00", "$3.50", "5 €". */
export function money(numbers: Numbers, { symbols, and, scales, scaleGender = 'masculine' }: Money): Rule[] {
  const amount = amountPattern(numbers);
  const symbol = anyOf(Object.keys(symbols));
  const scale = String.raw`(?:\s(?<scale>${anyOf(scales)})${END})?`;
  const sayMoney: Rule['say'] = ({ symbol = '', written = '', scale }, match) => {
    const currency = symbols[symbol];
    const value = parseAmount(written, numbers);
    if (!currency || !value) return match;
    if (scale) return numbers.join(`${say(numbers, value, scaleGender, true)} ${scale}`, currency.many);
    if (value.frac.length > 2) return count(numbers, value, currency);
    const cents = Number(value.frac.padEnd(2, '0'));
    const whole = count(numbers, { ...value, frac: '' }, currency);
    if (!cents) return whole;
    const small = count(numbers, { negative: value.negative, int: cents, frac: '' }, currency.cents);
    return value.int === 0 ? small : `${whole} ${and} ${small}`;
  };
  return [
    String.raw`(?<![\p{L}\p{N}$])(?<symbol>${symbol})\s?(?<written>${amount})${scale}`,
    String.raw`(?<written>${amount})${scale}\s?(?<symbol>${symbol})(?![\p{L}\p{N}])`,
  ].map((source) => ({ pattern: new RegExp(source, 'gu'), say: sayMoney }));
}

/** A number and a word or sign after it: "35%", "3,5 %". */
export function percent(numbers: Numbers, word: string, gender?: Gender): Rule {
  return {
    pattern: new RegExp(String.raw`(?<written>${amountPattern(numbers)})\s?%`, 'gu'),
    say: ({ written = '' }, match) => {
      const value = parseAmount(written, numbers);
      return value ? `${say(numbers, value, gender, gender !== undefined)} ${word}` : match;
    },
  };
}

/** Units after a number: "5 km", "30 °C", "90 km/h". */
export function units(numbers: Numbers, nouns: Record<string, Noun>): Rule {
  return {
    pattern: new RegExp(
      String.raw`(?<written>${amountPattern(numbers)})\s?(?<unit>${anyOf(Object.keys(nouns))})${END}`,
      'gu',
    ),
    say: ({ written = '', unit = '' }, match) => {
      const value = parseAmount(written, numbers);
      const noun = nouns[unit];
      return value && noun ? count(numbers, value, noun) : match;
    },
  };
}

/** Numbers before nouns whose gender they take: Spanish "un millón", German "eine Million". */
export function beforeNouns(numbers: Numbers, nouns: readonly string[], gender: Gender): Rule {
  return {
    pattern: new RegExp(
      String.raw`(?<written>${amountPattern(numbers)})(?=\s+(?:${anyOf(nouns)})${END})`,
      'gu',
    ),
    say: ({ written = '' }, match) => {
      const value = parseAmount(written, numbers);
      return value ? say(numbers, value, gender, true) : match;
    },
  };
}

export interface Plain {
  /** The word between the ends of a range or a score: "10–20" is "dez a vinte". */
  to: string;
  /** The word for the dots of "2.0" or "1.2.3", when they are not the locale's decimal point. */
  dot: string;
  /** A four-digit number read as a year, or undefined when it is not one (the text after it tells). */
  year?(n: number, rest: string): string | undefined;
  /** The gender of the noun a number counts, told from the word after it; undefined when unknown. */
  genderOf?(word: string): Gender | undefined;
}

/** Numbers left after the rules for things written with numbers: ranges, versions, plain numbers. */
export function plainNumbers(numbers: Numbers, { to, dot, year, genderOf }: Plain): Rule[] {
  const amount = amountPattern(numbers);
  const whole = new RegExp(`^(?:${amount})$`, 'u');
  const digits = (written: string) => [...written].map((digit) => numbers.cardinal(Number(digit))).join(' ');
  const sayNumber = (written: string, rest: string) => {
    // A code, not a quantity: "007" is "zero zero seven".
    if (/^0\d/.test(written)) return digits(written);
    const value: Amount | undefined = parseAmount(written, numbers);
    if (!value) return written;
    const fourDigits = /^\d{4}$/.test(written);
    const asYear = year && fourDigits ? year(value.int, rest) : undefined;
    const next = /^\s+(\p{Ll}+)/u.exec(rest)?.[1];
    const gender = next && !fourDigits ? genderOf?.(next) : undefined;
    return asYear ?? say(numbers, value, gender, gender !== undefined);
  };
  return [
    {
      // Telephone numbers, digit by digit: "555-1234", "(11) 98765-4321".
      pattern: /(?<![\p{L}\p{N}])(?:\(\d{2,3}\)\s?\d{4,5}|\d{3}|\d{5})-\d{4}(?![\p{L}\p{N}])/gu,
      say: (_, match) => match.split(/\D+/).filter(Boolean).map(digits).join(', '),
    },
    {
      // "2.0" or "1.2.3": a version, not a number of this locale.
      pattern: /(?<![\p{L}\p{N}_.,])\d+(?:\.\d+)+(?!\p{N}|[.,]\d)/gu,
      say: (_, match) =>
        whole.test(match)
          ? match
          : match
              .split('.')
              .map((part) => sayNumber(part, ''))
              .join(` ${dot} `),
    },
    {
      pattern: new RegExp(String.raw`(?<from>${amount})(?:\s?–\s?|-)(?<until>${amount})(?![\p{L}_])`, 'gu'),
      say: ({ from = '', until = '' }, _, rest) => `${sayNumber(from, rest)} ${to} ${sayNumber(until, rest)}`,
    },
    // "COVID-19" is said "COVID nineteen".
    { pattern: /(?<=\p{L})-(?=\d)/gu, say: () => ' ' },
    // Digits glued to letters ("4K", "3D") are names, not numbers.
    {
      pattern: new RegExp(String.raw`${amount}(?![\p{L}_])`, 'gu'),
      say: (_, match, rest) => sayNumber(match, rest),
    },
  ];
}
