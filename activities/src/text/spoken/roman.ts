import { END, type Gender, isFeminineName, type Rule, START } from './common.ts';

const NUMERALS: readonly [string, number][] = [
  ['L', 50],
  ['XL', 40],
  ['X', 10],
  ['IX', 9],
  ['V', 5],
  ['IV', 4],
  ['I', 1],
];

function toRoman(n: number): string {
  let rest = n;
  let numeral = '';
  for (const [symbol, value] of NUMERALS) {
    for (; rest >= value; rest -= value) numeral += symbol;
  }
  return numeral;
}

/** The value of a Roman numeral written the standard way ("IV", not "IIII"); undefined otherwise. */
export function fromRoman(numeral: string): number | undefined {
  let value = 0;
  let at = 0;
  for (const [symbol, worth] of NUMERALS) {
    for (; numeral.startsWith(symbol, at); at += symbol.length) value += worth;
  }
  return value > 0 && toRoman(value) === numeral ? value : undefined;
}

/** Up to 89, without a lone "L", which is more often a letter than fifty. */
export const ROMAN = 'XL[IVX]{0,4}|L[IVX]{1,4}|[IVX]{1,6}';

export interface Regnal {
  /** How the number after `name` is said; undefined leaves it as written. */
  say(n: number, context: { name: string; gender: Gender; suffix: string; rest: string }): string | undefined;
  /** Lower-case words a numeral also follows: "século XX". */
  after?: readonly string[];
  /** A mark written after the numeral: German "Ludwig XIV.", French "François Ier". */
  suffix?: string;
}

/** Roman numerals after a name: "D. Pedro II", "Louis XIV", "Henry VIII". */
export function regnalNumbers({ say, after = [], suffix }: Regnal): Rule {
  const names = [String.raw`\p{Lu}\p{Ll}+`, ...after].join('|');
  const mark = suffix ? `(?<suffix>${suffix})?` : '';
  return {
    pattern: new RegExp(String.raw`${START}(?<name>${names})\s(?<numeral>${ROMAN})${mark}${END}`, 'gu'),
    say: ({ name = '', numeral = '', suffix = '' }, match, rest) => {
      const n = fromRoman(numeral);
      const gender = isFeminineName(name) ? 'feminine' : 'masculine';
      const said = n === undefined ? undefined : say(n, { name, gender, suffix, rest });
      return said === undefined ? match : `${name} ${said}`;
    },
  };
}
