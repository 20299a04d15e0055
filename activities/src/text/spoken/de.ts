import { toCardinal, toOrdinal } from 'n2words/de-DE';
import { abbreviations, numbered, titles } from './abbreviations.ts';
import {
  capitalise,
  digitFraction,
  END,
  endsSentence,
  type Gender,
  type Noun,
  NUMBER_START,
  type Numbers,
  type Rule,
} from './common.ts';
import { beforeNouns, money, numericDates, percent, plainNumbers, times, units } from './numbers.ts';
import { regnalNumbers } from './roman.ts';
import { addresses } from './web.ts';

const MONTHS = [
  'Januar',
  'Februar',
  'März',
  'April',
  'Mai',
  'Juni',
  'Juli',
  'August',
  'September',
  'Oktober',
  'November',
  'Dezember',
];

/** Words that number their parts with cardinals: "Teil II" is "Teil zwei". */
const COUNTED = new Set(['Kapitel', 'Teil', 'Band', 'Akt', 'Buch', 'Artikel', 'Abschnitt']);

/** The library writes "einhunderteinstausend" for 101 000. */
const cardinal = (n: number) => toCardinal(n).replace(/einstausend/g, 'eintausend');

/**
 * The ending an ordinal takes after the word before it: "am dritten", "der dritte", and "dritter"
 * without an article ("Berlin, 15. August" is "fünfzehnter August").
 */
function ending(before: string): 'en' | 'e' | 'er' {
  const word = before.toLowerCase();
  if (/^(?:am|im|vom|zum|zur|beim|dem|den|des|einem|einen|eines|einer)$/.test(word)) return 'en';
  if (/^(?:der|die|das|eine)$/.test(word)) return 'e';
  return 'er';
}

/** Ordinals from the library end in "-te": "dritte" becomes "dritten" or "dritter". */
const inflected = (n: number, before: string) => `${toOrdinal(n).slice(0, -1)}${ending(before)}`;

/** Words an ordinal number follows: articles and prepositions with an article. */
const DETERMINERS = /^(?:am|im|vom|zum|zur|beim|dem|den|des|einem|einen|eines|einer|der|die|das|ein|eine)$/i;

/** Years before 2000 are said in hundreds: "neunzehnhundertsiebenundvierzig". */
const year = (y: number) =>
  y >= 1100 && y < 2000
    ? `${cardinal(Math.floor(y / 100))}hundert${y % 100 ? cardinal(y % 100) : ''}`
    : cardinal(y);

const noun = (one: string, many = one, gender: Gender = 'masculine'): Noun => ({ one, many, gender });

const numbers: Numbers = {
  group: String.raw`.\u00A0\u202F`,
  decimal: ',',
  cardinal,
  // "ein Kilometer", "eine Stunde"; neuter nouns take "ein" like masculine ones.
  beforeNoun: (n, gender) => (n === 1 ? (gender === 'feminine' ? 'eine' : 'ein') : cardinal(n)),
  ordinal: toOrdinal,
  point: 'Komma',
  fraction: digitFraction(cardinal),
  minus: 'minus',
  plural: ({ int, frac }) => int !== 1 || frac !== '',
  join: (words, thing) => `${words} ${thing}`,
};

/** German as spoken in Germany. */
export function german(): Rule[] {
  const n = numbers;
  const euro = { ...noun('Euro'), cents: noun('Cent') };
  const dollar = { ...noun('Dollar'), cents: noun('Cent') };
  return [
    addresses({
      dot: 'Punkt',
      at: 'at',
      slash: 'Schrägstrich',
      dash: 'Bindestrich',
      underscore: 'Unterstrich',
    }),
    titles({
      'Hr.': 'Herr',
      'Hrn.': 'Herrn',
      'Fr.': 'Frau',
      'Dr.': 'Doktor',
      'Prof.': 'Professor',
      'St.': 'Sankt',
    }),
    numbered({ 'Nr.': 'Nummer', 'S.': 'Seite' }),
    abbreviations(
      {
        'z. B.': 'zum Beispiel',
        'usw.': 'und so weiter',
        'bzw.': 'beziehungsweise',
        'd. h.': 'das heißt',
        'u. a.': 'unter anderem',
        'ca.': 'circa',
        'etc.': 'et cetera',
        'v. Chr.': 'vor Christus',
        'n. Chr.': 'nach Christus',
        'ggf.': 'gegebenenfalls',
        'evtl.': 'eventuell',
        'inkl.': 'inklusive',
        'vgl.': 'vergleiche',
        'Str.': 'Straße',
      },
      ['usw.', 'etc.', 'v. Chr.', 'n. Chr.', 'Str.'],
    ),
    numericDates(
      'dmy',
      ({ day, month, year: y, before }) => `${inflected(day, before)} ${MONTHS[month - 1]} ${year(y)}`,
    ),
    ...times({
      hourMark: 'Uhr',
      // "vierzehn Uhr dreißig", "ein Uhr".
      say: (hour, minute) =>
        `${hour === 1 ? 'ein' : cardinal(hour)} Uhr${minute ? ` ${cardinal(minute)}` : ''}`,
    }),
    ...money(n, {
      symbols: {
        '€': euro,
        $: dollar,
        US$: dollar,
        '£': { ...noun('Pfund'), cents: noun('Penny', 'Pence') },
        R$: { ...noun('Real'), cents: noun('Centavo', 'Centavos') },
      },
      and: 'und',
      scales: ['Tausend', 'Million', 'Millionen', 'Milliarde', 'Milliarden'],
      scaleGender: 'feminine',
    }),
    percent(n, 'Prozent', 'masculine'),
    units(n, {
      km: noun('Kilometer'),
      m: noun('Meter'),
      cm: noun('Zentimeter'),
      mm: noun('Millimeter'),
      kg: noun('Kilo'),
      g: noun('Gramm'),
      'km/h': noun('Kilometer pro Stunde'),
      'km²': noun('Quadratkilometer'),
      'm²': noun('Quadratmeter'),
      '°C': noun('Grad Celsius'),
      '°F': noun('Grad Fahrenheit'),
      '°': noun('Grad'),
      h: noun('Stunde', 'Stunden', 'feminine'),
      min: noun('Minute', 'Minuten', 'feminine'),
    }),
    {
      // "am 3. Mai", "der 2. Weltkrieg": a number with a period is an ordinal after an article or
      // before a month; elsewhere the period may end a sentence ("im Jahr 1990. Dann …").
      pattern: new RegExp(
        String.raw`(?<before>(?<!\p{L})\p{L}+\s+)?${NUMBER_START}(?<number>\d{1,3})\.(?=\s+(?<next>\p{L}+))`,
        'gu',
      ),
      say: ({ before = '', number = '', next = '' }, match) => {
        const word = before.trim();
        if (!DETERMINERS.test(word) && !MONTHS.includes(next)) return match;
        return `${before}${inflected(Number(number), word)}`;
      },
    },
    {
      // "die 1990er Jahre", "die 20er".
      pattern: new RegExp(String.raw`${NUMBER_START}(?<number>\d{2}|\d{4})er${END}`, 'gu'),
      say: ({ number = '' }) => `${year(Number(number))}er`,
    },
    beforeNouns(n, ['Million', 'Milliarde', 'Billion'], 'feminine'),
    regnalNumbers({
      // "Heinrich VIII." is "Heinrich der Achte" (said in the nominative), "Elisabeth II." "die Zweite".
      say: (number, { name, gender, suffix, rest }) => {
        if (COUNTED.has(name)) return cardinal(number);
        const article = gender === 'feminine' ? 'die' : 'der';
        return `${article} ${capitalise(toOrdinal(number))}${suffix && endsSentence(rest) ? '.' : ''}`;
      },
      suffix: String.raw`\.`,
    }),
    ...plainNumbers(n, {
      to: 'bis',
      dot: 'Punkt',
      // A four-digit number before a noun counts it ("1500 Menschen"); otherwise it is a year.
      year: (y, rest) => (/^\s+\p{Lu}/u.test(rest) ? undefined : year(y)),
    }),
  ];
}
