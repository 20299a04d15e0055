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
import { portugueseGender } from './noun-gender.ts';
import { firstOfMonth, money, numericDates, percent, plainNumbers, times, units } from './numbers.ts';
import { cardinal, ordinal, type Variant } from './pt-numbers.ts';
import { regnalNumbers } from './roman.ts';
import { addresses } from './web.ts';

const MONTHS = [
  'janeiro',
  'fevereiro',
  'março',
  'abril',
  'maio',
  'junho',
  'julho',
  'agosto',
  'setembro',
  'outubro',
  'novembro',
  'dezembro',
];

/** Words that number their parts with cardinals: "Capítulo IV" is "Capítulo quatro". */
const COUNTED = new Set(['Capítulo', 'Parte', 'Volume', 'Tomo', 'Livro', 'Ato', 'Artigo', 'Fase']);

const noun = (one: string, many: string, gender: Gender = 'masculine'): Noun => ({ one, many, gender });

function numbers(variant: Variant): Numbers {
  const say = (n: number, gender: Gender = 'masculine') => cardinal(n, gender, variant);
  return {
    group: String.raw`.\u00A0\u202F`,
    decimal: ',',
    cardinal: say,
    beforeNoun: say,
    ordinal: (n, gender = 'masculine') => ordinal(n, gender),
    point: 'vírgula',
    fraction: wholeFraction(say),
    minus: 'menos',
    // The integer part decides: "1,5 milhão".
    plural: ({ int }) => int !== 1,
    // "um milhão de reais", but "mil reais".
    join: (words, thing) => (/(?:ão|ões)$/.test(words) ? `${words} de ${thing}` : `${words} ${thing}`),
  };
}

/** Portuguese as spoken in Brazil ('BR') or Portugal ('PT'). */
export function portuguese(variant: Variant): Rule[] {
  const n = numbers(variant);
  const km = variant === 'BR' ? 'quilômetro' : 'quilómetro';
  const cent = variant === 'BR' ? noun('centavo', 'centavos') : noun('cêntimo', 'cêntimos');
  const dollar = { ...noun('dólar', 'dólares'), cents: cent };
  return [
    addresses({
      dot: 'ponto',
      at: 'arroba',
      slash: 'barra',
      dash: 'hífen',
      underscore: variant === 'BR' ? 'underline' : 'underscore',
    }),
    honorific('dom', 'dona'),
    titles({
      'Sr.': 'senhor',
      'Sra.': 'senhora',
      'Srta.': 'senhorita',
      'Dr.': 'doutor',
      'Dra.': 'doutora',
      'Dr.ª': 'doutora',
      'Prof.': 'professor',
      'Profa.': 'professora',
      'Prof.ª': 'professora',
      'Exmo.': 'excelentíssimo',
      'Exma.': 'excelentíssima',
      'Sto.': 'santo',
      'Sta.': 'santa',
      'Pe.': 'padre',
      'Av.': 'avenida',
    }),
    numbered({
      nº: 'número',
      'n.º': 'número',
      'n°': 'número',
      Nº: 'número',
      'N.º': 'número',
      'pág.': 'página',
      'págs.': 'páginas',
    }),
    abbreviations(
      {
        'etc.': 'etcétera',
        'a. C.': 'antes de Cristo',
        'd. C.': 'depois de Cristo',
        'séc.': 'século',
        'aprox.': 'aproximadamente',
      },
      ['etc.', 'a. C.', 'd. C.'],
    ),
    numericDates(
      'dmy',
      ({ day, month, year }) =>
        `${day === 1 ? 'primeiro' : n.cardinal(day)} de ${MONTHS[month - 1]} de ${n.cardinal(year)}`,
    ),
    firstOfMonth(MONTHS, String.raw`\s+de\s+`, 'primeiro'),
    ...times({
      hourMark: 'h',
      // "catorze e trinta", "nove horas"; hours are feminine: "uma", "duas", "vinte e uma".
      say: (hour, minute) =>
        minute
          ? `${n.cardinal(hour, 'feminine')} e ${n.cardinal(minute)}`
          : `${n.cardinal(hour, 'feminine')} ${hour <= 1 ? 'hora' : 'horas'}`,
    }),
    ...money(n, {
      symbols: {
        R$: { ...noun('real', 'reais'), cents: noun('centavo', 'centavos') },
        US$: dollar,
        $: dollar,
        '€': { ...noun('euro', 'euros'), cents: cent },
        '£': { ...noun('libra', 'libras', 'feminine'), cents: noun('pêni', 'pence') },
      },
      and: 'e',
      scales: ['mil', 'milhão', 'milhões', 'bilhão', 'bilhões', 'trilhão', 'trilhões', 'bilião', 'biliões'],
    }),
    percent(n, 'por cento'),
    {
      // "1º", "2ª", "1.º"; "3°" is an ordinal before a word ("3° lugar"), degrees otherwise.
      pattern: new RegExp(
        String.raw`${NUMBER_START}(?<number>\d{1,3})\.?(?:(?<mark>[ºª])(?!\s?[CF]${END})|°(?=\s+\p{Ll}))`,
        'gu',
      ),
      say: ({ number = '', mark }) => n.ordinal(Number(number), mark === 'ª' ? 'feminine' : 'masculine'),
    },
    units(n, {
      km: noun(km, `${km}s`),
      m: noun('metro', 'metros'),
      cm: noun('centímetro', 'centímetros'),
      mm: noun('milímetro', 'milímetros'),
      kg: noun('quilo', 'quilos'),
      g: noun('grama', 'gramas'),
      'km/h': noun(`${km} por hora`, `${km}s por hora`),
      'km²': noun(`${km} quadrado`, `${km}s quadrados`),
      'm²': noun('metro quadrado', 'metros quadrados'),
      '°C': noun('grau Celsius', 'graus Celsius'),
      ºC: noun('grau Celsius', 'graus Celsius'),
      '°F': noun('grau Fahrenheit', 'graus Fahrenheit'),
      '°': noun('grau', 'graus'),
      h: noun('hora', 'horas', 'feminine'),
      min: noun('minuto', 'minutos'),
    }),
    regnalNumbers({
      // Ordinals up to ten, cardinals after: "Pedro segundo", "Luís catorze", "século vinte".
      say: (number, { name, gender }) =>
        number <= 10 && !COUNTED.has(name) ? n.ordinal(number, gender) : n.cardinal(number),
      after: ['século'],
    }),
    ...plainNumbers(n, { to: 'a', dot: 'ponto', genderOf: portugueseGender }),
  ];
}
