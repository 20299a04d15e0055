import { toCardinal, toOrdinal } from 'n2words/it-IT';
import { abbreviations, numbered, titles } from './abbreviations.ts';
import {
  END,
  type Gender,
  type Noun,
  NUMBER_START,
  type Numbers,
  type Rule,
  wholeFraction,
} from './common.ts';
import {
  beforeNouns,
  firstOfMonth,
  money,
  monthPattern,
  numericDates,
  percent,
  plainNumbers,
  times,
  units,
} from './numbers.ts';
import { regnalNumbers } from './roman.ts';
import { addresses } from './web.ts';

const MONTHS = [
  'gennaio',
  'febbraio',
  'marzo',
  'aprile',
  'maggio',
  'giugno',
  'luglio',
  'agosto',
  'settembre',
  'ottobre',
  'novembre',
  'dicembre',
];

/** Compounds ending in "tre" take an accent, which the library leaves off in some ("milletré"). */
function cardinal(n: number, gender: Gender = 'masculine'): string {
  if (n === 1 && gender === 'feminine') return 'una';
  return toCardinal(n).replace(/(?<=\p{L})tre$/u, 'tré');
}

const ordinal = (n: number, gender: Gender = 'masculine') =>
  gender === 'feminine' ? toOrdinal(n).replace(/o$/, 'a') : toOrdinal(n);

const noun = (one: string, many: string, gender: Gender = 'masculine'): Noun => ({ one, many, gender });

const numbers: Numbers = {
  group: String.raw`.\u00A0\u202F`,
  decimal: ',',
  cardinal,
  beforeNoun: (n, gender) => (n === 1 && gender === 'masculine' ? 'un' : cardinal(n, gender)),
  ordinal,
  point: 'virgola',
  fraction: wholeFraction(cardinal),
  minus: 'meno',
  plural: ({ int, frac }) => int !== 1 || frac !== '',
  // "un milione di euro"; "una" elides before a vowel: "un'ora".
  join: (words, thing) => {
    if (/(?:milione|milioni|miliardo|miliardi)$/.test(words)) return `${words} di ${thing}`;
    if (words.endsWith('una') && /^[aeiou]/.test(thing)) return `${words.slice(0, -1)}'${thing}`;
    return `${words} ${thing}`;
  },
};

/** Italian as spoken in Italy. */
export function italian(): Rule[] {
  const n = numbers;
  const dollar = { ...noun('dollaro', 'dollari'), cents: noun('centesimo', 'centesimi') };
  const months = new RegExp(String.raw`^\s+(?:${monthPattern(MONTHS)})${END}`, 'u');
  return [
    addresses({
      dot: 'punto',
      at: 'chiocciola',
      slash: 'slash',
      dash: 'trattino',
      underscore: 'trattino basso',
    }),
    titles({
      'Sig.': 'signor',
      'Sig.ra': 'signora',
      'Sig.na': 'signorina',
      'Sigg.': 'signori',
      'Dott.': 'dottor',
      'Dott.ssa': 'dottoressa',
      'Dr.': 'dottor',
      'Prof.': 'professor',
      'Prof.ssa': 'professoressa',
      'Ing.': 'ingegner',
      'Avv.': 'avvocato',
      'On.': 'onorevole',
    }),
    numbered({ 'n.': 'numero', nº: 'numero', 'n°': 'numero', 'pag.': 'pagina' }),
    abbreviations(
      {
        'ecc.': 'eccetera',
        'ca.': 'circa',
        'a. C.': 'avanti Cristo',
        'd. C.': 'dopo Cristo',
        'ad es.': 'ad esempio',
      },
      ['ecc.', 'a. C.', 'd. C.'],
    ),
    numericDates(
      'dmy',
      ({ day, month, year }) =>
        `${day === 1 ? 'primo' : cardinal(day)} ${MONTHS[month - 1]} ${cardinal(year)}`,
    ),
    firstOfMonth(MONTHS, String.raw`\s+`, 'primo'),
    ...times({
      // "quattordici e trenta", "l'una".
      say: (hour, minute) => `${cardinal(hour, 'feminine')}${minute ? ` e ${cardinal(minute)}` : ''}`,
    }),
    ...money(n, {
      symbols: {
        '€': { ...noun('euro', 'euro'), cents: noun('centesimo', 'centesimi') },
        $: dollar,
        US$: dollar,
        '£': { ...noun('sterlina', 'sterline', 'feminine'), cents: noun('penny', 'pence') },
        R$: { ...noun('real', 'real'), cents: noun('centavo', 'centavos') },
      },
      and: 'e',
      scales: ['mila', 'mille', 'milione', 'milioni', 'miliardo', 'miliardi'],
    }),
    percent(n, 'per cento'),
    {
      // "1°", "2ª", "3º"; "3°" is an ordinal before a word ("3° posto"), degrees otherwise.
      pattern: new RegExp(
        String.raw`${NUMBER_START}(?<number>\d{1,3})(?:(?<mark>[ºª])(?!\s?[CF]${END})|°(?=\s+\p{Ll}))`,
        'gu',
      ),
      say: ({ number = '', mark }) => ordinal(Number(number), mark === 'ª' ? 'feminine' : 'masculine'),
    },
    units(n, {
      km: noun('chilometro', 'chilometri'),
      m: noun('metro', 'metri'),
      cm: noun('centimetro', 'centimetri'),
      mm: noun('millimetro', 'millimetri'),
      kg: noun('chilo', 'chili'),
      g: noun('grammo', 'grammi'),
      'km/h': noun('chilometro orario', 'chilometri orari'),
      'km²': noun('chilometro quadrato', 'chilometri quadrati'),
      'm²': noun('metro quadrato', 'metri quadrati'),
      '°C': noun('grado Celsius', 'gradi Celsius'),
      ºC: noun('grado Celsius', 'gradi Celsius'),
      '°F': noun('grado Fahrenheit', 'gradi Fahrenheit'),
      '°': noun('grado', 'gradi'),
      h: noun('ora', 'ore', 'feminine'),
      min: noun('minuto', 'minuti'),
    }),
    beforeNouns(n, ['milione', 'milioni', 'miliardo', 'miliardi'], 'masculine'),
    regnalNumbers({
      // Ordinals throughout: "Vittorio Emanuele secondo", "Luigi quattordicesimo", "secolo ventesimo";
      // but a day before a month, as in "Via XX Settembre", is a cardinal.
      say: (number, { gender, rest }) => (months.test(rest) ? cardinal(number) : ordinal(number, gender)),
      after: ['secolo'],
    }),
    ...plainNumbers(n, { to: 'a', dot: 'punto' }),
  ];
}
