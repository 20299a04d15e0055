import { toCardinal as britishCardinal } from 'n2words/en-GB';
import { toCardinal as americanCardinal } from 'n2words/en-US';
import { abbreviations, numbered, titles } from './abbreviations.ts';
import {
  capitalise,
  digitFraction,
  END,
  type Noun,
  NUMBER_START,
  type Numbers,
  type Rule,
} from './common.ts';
import { money, monthPattern, numericDates, percent, plainNumbers, times, units } from './numbers.ts';
import { regnalNumbers } from './roman.ts';
import { addresses } from './web.ts';

/** British English says "one hundred and five", spells "kilometre" and writes the day first. */
export type Variant = 'US' | 'GB';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const IRREGULAR: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** The ordinal of a cardinal in words: "twenty-one" → "twenty-first", "one hundred" → "one hundredth". */
const ordinalOf = (cardinal: string) =>
  cardinal.replace(
    /[a-z]+$/,
    (word) => IRREGULAR[word] ?? (word.endsWith('y') ? `${word.slice(0, -1)}ieth` : `${word}th`),
  );

/** "nineties", "hundreds". */
const pluralOf = (words: string) =>
  words.replace(/[a-z]+$/, (word) => (word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`));

/** Years as English says them: "nineteen ninety-nine", "nineteen oh five", "two thousand five", "twenty ten". */
function year(n: number, cardinal: (n: number) => string): string | undefined {
  if (n < 1000 || n > 2099) return undefined;
  if (n % 1000 < 10) return cardinal(n);
  const century = cardinal(Math.floor(n / 100));
  const rest = n % 100;
  if (rest === 0) return `${century} hundred`;
  return `${century} ${rest < 10 ? `oh ${cardinal(rest)}` : cardinal(rest)}`;
}

/** Words that number their parts with cardinals: "World War II" is "World War Two". */
const COUNTED = new Set([
  'War',
  'Part',
  'Chapter',
  'Volume',
  'Book',
  'Act',
  'Scene',
  'Phase',
  'Stage',
  'Level',
  'Section',
  'Article',
  'Type',
  'Class',
  'Vatican',
  'Apollo',
]);

/** Capitalised words the pronoun "I" follows: "Am I?", "So I.". */
const PRONOUN_BEFORE = new Set(
  [
    'Am Was Were Do Did Can Could Will Would Shall Should May Might Must Have Had',
    'Then And But So Yes No Now If When Where Why What How Who Here There',
  ]
    .join(' ')
    .split(' '),
);

const noun = (one: string, many = `${one}s`): Noun => ({ one, many, gender: 'masculine' });

function numbers(variant: Variant): Numbers {
  const cardinal = (n: number) => (variant === 'GB' ? britishCardinal(n) : americanCardinal(n));
  return {
    group: ',',
    decimal: '.',
    cardinal,
    beforeNoun: cardinal,
    ordinal: (n) => ordinalOf(cardinal(n)),
    point: 'point',
    fraction: digitFraction(cardinal),
    minus: 'minus',
    plural: ({ int, frac }) => int !== 1 || frac !== '',
    join: (words, thing) => `${words} ${thing}`,
  };
}

/** English as spoken in the United States ('US') or Britain ('GB'). */
export function english(variant: Variant): Rule[] {
  const n = numbers(variant);
  const sayYear = (y: number) => year(y, n.cardinal) ?? n.cardinal(y);
  const metre = variant === 'GB' ? 'metre' : 'meter';
  const months = monthPattern(MONTHS);
  const dollar = { ...noun('dollar'), cents: noun('cent') };
  return [
    addresses({ dot: 'dot', at: 'at', slash: 'slash', dash: 'dash', underscore: 'underscore' }),
    titles({
      'Mr.': 'Mister',
      'Mrs.': 'Missus',
      'Ms.': 'Miz',
      'Dr.': 'Doctor',
      'St.': 'Saint',
      // British English writes these without a period.
      Mr: 'Mister',
      Mrs: 'Missus',
      Ms: 'Miz',
      Dr: 'Doctor',
      St: 'Saint',
      'Prof.': 'Professor',
      'Mt.': 'Mount',
      'Rev.': 'Reverend',
      'Gen.': 'General',
      'Capt.': 'Captain',
      'Sgt.': 'Sergeant',
      'Lt.': 'Lieutenant',
      'Col.': 'Colonel',
      'Gov.': 'Governor',
    }),
    numbered({ 'No.': 'number', 'no.': 'number', 'Nos.': 'numbers', 'p.': 'page', 'pp.': 'pages' }),
    abbreviations(
      {
        'etc.': 'et cetera',
        'vs.': 'versus',
        vs: 'versus',
        'e.g.': 'for example',
        'i.e.': 'that is',
        'approx.': 'approximately',
        'Jr.': 'Junior',
        'Sr.': 'Senior',
        'St.': 'Street',
        'Ave.': 'Avenue',
        'Rd.': 'Road',
      },
      ['etc.', 'Jr.', 'Sr.', 'St.', 'Ave.', 'Rd.'],
    ),
    numericDates(variant === 'GB' ? 'dmy' : 'mdy', ({ day, month, year: y }) => {
      const name = MONTHS[month - 1];
      return variant === 'GB'
        ? `the ${n.ordinal(day)} of ${name} ${sayYear(y)}`
        : `${name} ${n.ordinal(day)}, ${sayYear(y)}`;
    }),
    {
      // "August 15" is "August fifteenth".
      pattern: new RegExp(String.raw`(?<month>${months})\s(?<day>\d{1,2})(?:st|nd|rd|th)?${END}(?!:)`, 'gu'),
      say: ({ month, day }) => `${month} ${n.ordinal(Number(day))}`,
    },
    {
      // "15 August" and "the 15th of August" are "the fifteenth of August".
      pattern: new RegExp(
        String.raw`(?<the>(?<![\p{L}])[Tt]he\s)?${NUMBER_START}(?<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(?<month>${months})${END}`,
        'gu',
      ),
      say: ({ the = 'the ', day, month }) => `${the}${n.ordinal(Number(day))} of ${month}`,
    },
    ...times({
      twelveHour: true,
      say: (hour, minute, meridiem) => {
        const minutes = minute ? ` ${minute < 10 ? 'oh ' : ''}${n.cardinal(minute)}` : '';
        if (meridiem) return `${n.cardinal(hour)}${minutes} ${meridiem === 'am' ? 'a.m.' : 'p.m.'}`;
        if (minutes) return `${n.cardinal(hour)}${minutes}`;
        // "09:00" is nine o'clock, "14:00" fourteen hundred.
        return hour > 12 || hour === 0 ? `${n.cardinal(hour)} hundred` : `${n.cardinal(hour)} o'clock`;
      },
    }),
    ...money(n, {
      symbols: {
        $: dollar,
        US$: dollar,
        '€': { ...noun('euro'), cents: noun('cent') },
        '£': { ...noun('pound'), cents: noun('penny', 'pence') },
        R$: { ...noun('real', 'reais'), cents: noun('centavo') },
      },
      and: 'and',
      scales: ['thousand', 'million', 'billion', 'trillion'],
    }),
    percent(n, variant === 'GB' ? 'per cent' : 'percent'),
    units(n, {
      km: noun(`kilo${metre}`),
      m: noun(metre),
      cm: noun(`centi${metre}`),
      mm: noun(`milli${metre}`),
      kg: noun('kilogram'),
      g: noun('gram'),
      'km/h': noun(`kilo${metre} per hour`, `kilo${metre}s per hour`),
      mph: noun('mile per hour', 'miles per hour'),
      'km²': noun(`square kilo${metre}`),
      'm²': noun(`square ${metre}`),
      '°C': noun('degree Celsius', 'degrees Celsius'),
      '°F': noun('degree Fahrenheit', 'degrees Fahrenheit'),
      '°': noun('degree'),
      h: noun('hour'),
      min: noun('minute'),
    }),
    {
      // "1990s" is "nineteen nineties", "'80s" "eighties".
      pattern: new RegExp(
        String.raw`${NUMBER_START}(?:['’](?<short>[1-9]0)|(?<full>\d{3}0|[1-9]0))s${END}`,
        'gu',
      ),
      say: ({ short, full }) => pluralOf(short ? n.cardinal(Number(short)) : sayYear(Number(full))),
    },
    {
      pattern: new RegExp(String.raw`${NUMBER_START}(?<number>\d+)(?:st|nd|rd|th)${END}`, 'gu'),
      say: ({ number = '' }, match) => (Number(number) < 1e15 ? n.ordinal(Number(number)) : match),
    },
    regnalNumbers({
      say: (number, { name, rest }) => {
        if (COUNTED.has(name)) return capitalise(n.cardinal(number));
        // "I" is far more often the pronoun: a ruler's only after a name and where a sentence could not go
        // on ("Elizabeth I."), not in "Am I?".
        const pronoun = PRONOUN_BEFORE.has(name) || !/^(?:[,.;:!?)]|\s*$|\s+(?:of|and)\b)/.test(rest);
        if (number === 1 && pronoun) return undefined;
        return `the ${capitalise(n.ordinal(number))}`;
      },
    }),
    ...plainNumbers(n, {
      to: 'to',
      dot: 'point',
      year: (y) => year(y, n.cardinal),
    }),
  ];
}
