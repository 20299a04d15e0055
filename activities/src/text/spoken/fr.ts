import { toCardinal, toOrdinal } from 'n2words/fr-FR';
import { abbreviations, numbered, titles } from './abbreviations.ts';
import {
  END,
  type Gender,
  type Noun,
  NUMBER_START,
  type Numbers,
  type Rule,
  START,
  wholeFraction,
} from './common.ts';
import { firstOfMonth, money, numericDates, percent, plainNumbers, times, units } from './numbers.ts';
import { fromRoman, ROMAN, regnalNumbers } from './roman.ts';
import { addresses } from './web.ts';

const MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

/** "un" agrees with a feminine noun, alone or last: "une heure", "vingt et une heures". */
const cardinal = (n: number, gender: Gender = 'masculine') =>
  gender === 'feminine' ? toCardinal(n).replace(/(?<!\p{L})un$/u, 'une') : toCardinal(n);

const ordinal = (n: number, gender: Gender = 'masculine') =>
  n === 1 && gender === 'feminine' ? 'première' : toOrdinal(n);

/** Ordinal marks after a number or a numeral: "1er", "1re", "2e", "XIXe", "2nde". */
const MARKS = 'ᵉʳ|ʳᵉ|ᵉ|ère|er|re|ème|e|nde|nd';

function sayMarked(n: number, mark: string): string | undefined {
  if (['er', 'ᵉʳ'].includes(mark)) return n === 1 ? 'premier' : undefined;
  if (['re', 'ère', 'ʳᵉ'].includes(mark)) return n === 1 ? 'première' : undefined;
  if (mark === 'nd') return n === 2 ? 'second' : undefined;
  if (mark === 'nde') return n === 2 ? 'seconde' : undefined;
  return ordinal(n);
}

const noun = (one: string, many = `${one}s`, gender: Gender = 'masculine'): Noun => ({ one, many, gender });

const numbers: Numbers = {
  group: String.raw` \u00A0\u202F`,
  decimal: ',',
  cardinal,
  beforeNoun: cardinal,
  ordinal,
  point: 'virgule',
  fraction: wholeFraction(cardinal),
  minus: 'moins',
  // French nouns stay singular below two: "1,5 kilomètre".
  plural: ({ int }) => int >= 2,
  // "un million d'euros", "deux millions de dollars".
  join: (words, thing) =>
    /(?:million|milliard)s?$/.test(words)
      ? `${words} ${/^[aeiouyéh]/i.test(thing) ? `d'${thing}` : `de ${thing}`}`
      : `${words} ${thing}`,
};

/** French as spoken in France. */
export function french(): Rule[] {
  const n = numbers;
  const euro = { ...noun('euro'), cents: noun('centime') };
  const dollar = { ...noun('dollar'), cents: noun('cent') };
  return [
    addresses({ dot: 'point', at: 'arobase', slash: 'slash', dash: 'tiret', underscore: 'tiret bas' }),
    titles({
      'M.': 'monsieur',
      'MM.': 'messieurs',
      Mme: 'madame',
      Mmes: 'mesdames',
      Mlle: 'mademoiselle',
      Mlles: 'mesdemoiselles',
      Dr: 'docteur',
      'Dr.': 'docteur',
      Pr: 'professeur',
      St: 'saint',
      Ste: 'sainte',
    }),
    numbered({ 'n°': 'numéro', 'N°': 'numéro', 'p.': 'page' }),
    abbreviations(
      {
        'etc.': 'et cetera',
        'av. J.-C.': 'avant Jésus-Christ',
        'apr. J.-C.': 'après Jésus-Christ',
        'env.': 'environ',
        'c.-à-d.': "c'est-à-dire",
        'p. ex.': 'par exemple',
      },
      ['etc.', 'av. J.-C.', 'apr. J.-C.'],
    ),
    numericDates(
      'dmy',
      ({ day, month, year }) =>
        `${day === 1 ? 'premier' : cardinal(day)} ${MONTHS[month - 1]} ${cardinal(year)}`,
    ),
    firstOfMonth(MONTHS, String.raw`\s+`, 'premier'),
    ...times({
      hourMark: 'h',
      // "quatorze heures trente", "une heure", "vingt et une heures".
      say: (hour, minute) =>
        `${cardinal(hour, 'feminine')} ${hour <= 1 ? 'heure' : 'heures'}${minute ? ` ${cardinal(minute)}` : ''}`,
    }),
    ...money(n, {
      symbols: {
        '€': euro,
        $: dollar,
        US$: dollar,
        '£': { ...noun('livre', 'livres', 'feminine'), cents: noun('penny', 'pence') },
        R$: { ...noun('réal', 'réaux'), cents: noun('centavo') },
      },
      and: 'et',
      scales: ['mille', 'million', 'millions', 'milliard', 'milliards'],
    }),
    percent(n, 'pour cent'),
    {
      pattern: new RegExp(String.raw`${NUMBER_START}(?<number>\d{1,3})(?<mark>${MARKS})${END}`, 'gu'),
      say: ({ number = '', mark = '' }, match) => sayMarked(Number(number), mark) ?? match,
    },
    {
      // Numerals with an ordinal mark, names or not: "François Ier", "le XIXe siècle".
      pattern: new RegExp(`${START}(?<numeral>${ROMAN})(?<mark>${MARKS})${END}`, 'gu'),
      say: ({ numeral = '', mark = '' }, match) => {
        const value = fromRoman(numeral);
        return (value === undefined ? undefined : sayMarked(value, mark)) ?? match;
      },
    },
    units(n, {
      km: noun('kilomètre'),
      m: noun('mètre'),
      cm: noun('centimètre'),
      mm: noun('millimètre'),
      kg: noun('kilo'),
      g: noun('gramme'),
      'km/h': noun("kilomètre à l'heure", "kilomètres à l'heure"),
      'km²': noun('kilomètre carré', 'kilomètres carrés'),
      'm²': noun('mètre carré', 'mètres carrés'),
      '°C': noun('degré Celsius', 'degrés Celsius'),
      '°F': noun('degré Fahrenheit', 'degrés Fahrenheit'),
      '°': noun('degré'),
      h: noun('heure', 'heures', 'feminine'),
      min: noun('minute', 'minutes', 'feminine'),
    }),
    regnalNumbers({
      // Cardinals but for the first: "Louis quatorze", "François premier".
      say: (number, { gender }) => (number === 1 ? ordinal(1, gender) : cardinal(number)),
    }),
    ...plainNumbers(n, { to: 'à', dot: 'point' }),
  ];
}
