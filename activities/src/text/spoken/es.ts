// The library's Mexican module words numbers as its Spanish one does: one serves both.
import { toCardinal, toOrdinal } from 'n2words/es-ES';
import { abbreviations, honorific, numbered, titles } from './abbreviations.ts';
import {
  END,
  type Gender,
  type Noun,
  NUMBER_START,
  type Numbers,
  type Rule,
  wholeFraction,
} from './common.ts';
import { spanishGender } from './noun-gender.ts';
import {
  beforeNouns,
  firstOfMonth,
  money,
  numericDates,
  percent,
  plainNumbers,
  times,
  units,
} from './numbers.ts';
import { regnalNumbers } from './roman.ts';
import { addresses } from './web.ts';

/** Spain writes "1.500,5" and reads "coma"; Mexico writes "1,500.5", reads "punto", and "$" is its peso. */
export type Variant = 'ES' | 'MX';

const MONTHS = [
  'enero',
  'febrero',
  'marzo',
  'abril',
  'mayo',
  'junio',
  'julio',
  'agosto',
  'septiembre',
  'octubre',
  'noviembre',
  'diciembre',
];

/** Words that number their parts with cardinals: "Capítulo IV" is "Capítulo cuatro". */
const COUNTED = new Set(['Capítulo', 'Parte', 'Tomo', 'Volumen', 'Libro', 'Acto', 'Artículo', 'Fase']);

/** Words after which a preceding ordinal keeps its full form: "el 1.º de mayo" is "el primero de mayo". */
const NOT_NOUNS = /^\s+(?:de|del|en|y|e|o|u|a|al|con|por|para|que|entre)(?!\p{L})/u;

/**
 * Cardinals, with the library's slips corrected: "dieciséis" takes an accent, 100 to 199 before a
 * feminine noun is "ciento", not "cienta", and "uno" shortens before "mil" and "millón": "veintiún mil",
 * "treinta y un millones" ("veintiuna mil" before a feminine noun).
 */
function cardinal(n: number, gender: Gender = 'masculine'): string {
  return toCardinal(n, { gender })
    .replace(/\bdieciseis\b/g, 'dieciséis')
    .replace(/\bcienta\b/g, 'ciento')
    .replace(/(?<!\p{L})(veinti)?uno(?= mil(?!\p{L}))/gu, (_, veinti?: string) =>
      gender === 'feminine' ? `${veinti ?? ''}una` : veinti ? 'veintiún' : 'un',
    )
    .replace(
      /(?<!\p{L})(veinti)?uno(?= (?:millón|millones|billón|billones)(?!\p{L}))/gu,
      (_, veinti?: string) => (veinti ? 'veintiún' : 'un'),
    );
}

/** "uno" shortens before a masculine noun: "un euro", "veintiún kilómetros". */
const shortened = (words: string) =>
  words.replace(/(?<!\p{L})(veinti)?uno$/u, (_, veinti?: string) => (veinti ? 'veintiún' : 'un'));

/** Ordinals as the RAE prefers them: "undécimo", "duodécimo", "decimotercero", "decimoctava". */
const ordinal = (n: number, gender: Gender = 'masculine') =>
  toOrdinal(n, { gender })
    .replace(/^décim([oa]) primer[oa]$/, 'undécim$1')
    .replace(/^décim([oa]) segund[oa]$/, 'duodécim$1')
    .replace(/^décim[oa] (?=\p{L})/u, 'decimo')
    .replace('decimoo', 'decimo');

const noun = (one: string, many: string, gender: Gender = 'masculine'): Noun => ({ one, many, gender });

function numbers(variant: Variant): Numbers {
  return {
    group: variant === 'ES' ? String.raw`.\u00A0\u202F` : ',',
    decimal: variant === 'ES' ? ',' : '.',
    cardinal,
    beforeNoun: (n, gender) => (gender === 'feminine' ? cardinal(n, gender) : shortened(cardinal(n))),
    ordinal,
    point: variant === 'ES' ? 'coma' : 'punto',
    fraction: wholeFraction(cardinal),
    minus: 'menos',
    plural: ({ int, frac }) => int !== 1 || frac !== '',
    // "un millón de euros", but "mil euros".
    join: (words, thing) =>
      /(?:millón|millones|billón|billones)$/.test(words) ? `${words} de ${thing}` : `${words} ${thing}`,
  };
}

/** Spanish as spoken in Spain ('ES') or Mexico ('MX'). */
export function spanish(variant: Variant): Rule[] {
  const n = numbers(variant);
  const centavo = noun('centavo', 'centavos');
  const dollar = { ...noun('dólar', 'dólares'), cents: centavo };
  // Spain reads the first of a month "uno de agosto", Mexico "primero de agosto".
  const first = variant === 'ES' ? 'uno' : 'primero';
  return [
    addresses({ dot: 'punto', at: 'arroba', slash: 'barra', dash: 'guion', underscore: 'guion bajo' }),
    titles({
      'Sr.': 'señor',
      'Sra.': 'señora',
      'Srta.': 'señorita',
      'Dr.': 'doctor',
      'Dra.': 'doctora',
      'Dña.': 'doña',
      'D.ª': 'doña',
      Dª: 'doña',
      'Prof.': 'profesor',
      'Profa.': 'profesora',
      'Sto.': 'santo',
      'Sta.': 'santa',
      'Gral.': 'general',
      'Av.': 'avenida',
      'Avda.': 'avenida',
    }),
    honorific('don', 'doña'),
    numbered({
      'n.º': 'número',
      nº: 'número',
      'n°': 'número',
      'N.º': 'número',
      Nº: 'número',
      'núm.': 'número',
      'pág.': 'página',
    }),
    abbreviations(
      {
        'Ud.': 'usted',
        'Uds.': 'ustedes',
        'Vd.': 'usted',
        'Vds.': 'ustedes',
        'etc.': 'etcétera',
        'aprox.': 'aproximadamente',
        'EE. UU.': 'Estados Unidos',
        'a. C.': 'antes de Cristo',
        'd. C.': 'después de Cristo',
        'p. ej.': 'por ejemplo',
      },
      ['Ud.', 'Uds.', 'Vd.', 'Vds.', 'etc.', 'EE. UU.', 'a. C.', 'd. C.'],
    ),
    numericDates(
      'dmy',
      ({ day, month, year }) =>
        `${day === 1 ? first : n.cardinal(day)} de ${MONTHS[month - 1]} de ${n.cardinal(year)}`,
    ),
    firstOfMonth(MONTHS, String.raw`\s+de\s+`, first),
    ...times({
      hourMark: 'h',
      twelveHour: true,
      say: (hour, minute, meridiem) => {
        const hours = n.cardinal(hour, 'feminine');
        if (meridiem) {
          const part =
            meridiem === 'am' ? 'de la mañana' : hour === 12 || hour < 8 ? 'de la tarde' : 'de la noche';
          return minute ? `${hours} y ${n.cardinal(minute)} ${part}` : `${hours} ${part}`;
        }
        // The 24-hour clock: "catorce treinta", "catorce cero cinco".
        if (minute) return `${hours} ${minute < 10 ? 'cero ' : ''}${n.cardinal(minute)}`;
        return `${hours} ${hour === 1 ? 'hora' : 'horas'}`;
      },
    }),
    ...money(n, {
      symbols: {
        $: variant === 'MX' ? { ...noun('peso', 'pesos'), cents: centavo } : dollar,
        US$: dollar,
        '€': { ...noun('euro', 'euros'), cents: variant === 'ES' ? noun('céntimo', 'céntimos') : centavo },
        '£': { ...noun('libra', 'libras', 'feminine'), cents: noun('penique', 'peniques') },
        R$: { ...noun('real', 'reales'), cents: centavo },
      },
      and: 'con',
      scales: ['mil', 'millón', 'millones', 'billón', 'billones'],
    }),
    percent(n, 'por ciento'),
    {
      // "1.º", "2.ª", "1.er"; "primero" and "tercero" shorten before a noun: "el 1.er piso", "el 3.º piso".
      pattern: new RegExp(
        String.raw`${NUMBER_START}(?<number>\d{1,3})(?:\.?(?<mark>[ºª]|er(?!\p{L}))(?!\s?[CF]${END})|°(?=\s+\p{Ll}))`,
        'gu',
      ),
      say: ({ number = '', mark }, _, rest) => {
        const gender = mark === 'ª' ? 'feminine' : 'masculine';
        const words = n.ordinal(Number(number), gender);
        const beforeNoun =
          mark === 'er' || (gender === 'masculine' && /^\s+\p{L}/u.test(rest) && !NOT_NOUNS.test(rest));
        return beforeNoun ? words.replace(/(primer|tercer)o$/, '$1') : words;
      },
    },
    units(n, {
      km: noun('kilómetro', 'kilómetros'),
      m: noun('metro', 'metros'),
      cm: noun('centímetro', 'centímetros'),
      mm: noun('milímetro', 'milímetros'),
      kg: noun('kilo', 'kilos'),
      g: noun('gramo', 'gramos'),
      'km/h': noun('kilómetro por hora', 'kilómetros por hora'),
      'km²': noun('kilómetro cuadrado', 'kilómetros cuadrados'),
      'm²': noun('metro cuadrado', 'metros cuadrados'),
      '°C': noun('grado Celsius', 'grados Celsius'),
      ºC: noun('grado Celsius', 'grados Celsius'),
      '°F': noun('grado Fahrenheit', 'grados Fahrenheit'),
      '°': noun('grado', 'grados'),
      h: noun('hora', 'horas', 'feminine'),
      min: noun('minuto', 'minutos'),
    }),
    beforeNouns(n, ['millón', 'millones', 'billón', 'billones'], 'masculine'),
    regnalNumbers({
      // Ordinals up to ten, cardinals after: "Felipe segundo", "Alfonso trece", "siglo veintiuno".
      say: (number, { name, gender }) =>
        number <= 10 && !COUNTED.has(name) ? n.ordinal(number, gender) : n.cardinal(number),
      after: ['siglo'],
    }),
    ...plainNumbers(n, { to: 'a', dot: 'punto', genderOf: spanishGender }),
  ];
}
