import type { Gender } from './common.ts';

/** Brazil and Portugal differ in three teens and in the scale above a million. */
export type Variant = 'BR' | 'PT';

const UNITS = ['zero', 'um', 'dois', 'três', 'quatro', 'cinco', 'seis', 'sete', 'oito', 'nove'];
const TEENS: Record<Variant, readonly string[]> = {
  BR: ['dez', 'onze', 'doze', 'treze', 'catorze', 'quinze', 'dezesseis', 'dezessete', 'dezoito', 'dezenove'],
  PT: ['dez', 'onze', 'doze', 'treze', 'catorze', 'quinze', 'dezasseis', 'dezassete', 'dezoito', 'dezanove'],
};
const TENS = [
  '',
  '',
  'vinte',
  'trinta',
  'quarenta',
  'cinquenta',
  'sessenta',
  'setenta',
  'oitenta',
  'noventa',
];
const HUNDREDS = [
  '',
  'cento',
  'duzentos',
  'trezentos',
  'quatrocentos',
  'quinhentos',
  'seiscentos',
  'setecentos',
  'oitocentos',
  'novecentos',
];

/** Scales above a thousand: Brazil counts in thousands (bilhão = 10⁹), Portugal in millions (bilião = 10¹²). */
const SCALES: Record<Variant, readonly { size: number; one: string; many: string }[]> = {
  BR: [
    { size: 1e12, one: 'trilhão', many: 'trilhões' },
    { size: 1e9, one: 'bilhão', many: 'bilhões' },
    { size: 1e6, one: 'milhão', many: 'milhões' },
  ],
  PT: [
    { size: 1e12, one: 'bilião', many: 'biliões' },
    { size: 1e6, one: 'milhão', many: 'milhões' },
  ],
};

/** "um", "dois" and the hundreds from 200 have feminine forms: "duas", "duzentas". */
const feminine = (words: string) =>
  words
    .split(' ')
    .map((word) => (word === 'um' ? 'uma' : word === 'dois' ? 'duas' : word.replace(/entos$/, 'entas')))
    .join(' ');

function belowThousand(n: number, variant: Variant): string {
  if (n === 100) return 'cem';
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor((n % 100) / 10);
  const units = n % 10;
  const parts = [HUNDREDS[hundreds] ?? ''];
  if (tens === 1) parts.push(TEENS[variant][units] ?? '');
  else parts.push(TENS[tens] ?? '', units ? (UNITS[units] ?? '') : '');
  return parts.filter(Boolean).join(' e ');
}

/** Portuguese cardinal numbers below 10¹⁵. */
export function cardinal(n: number, gender: Gender, variant: Variant): string {
  if (n === 0) return 'zero';
  const small = (k: number) => {
    const words = belowThousand(k, variant);
    return gender === 'feminine' ? feminine(words) : words;
  };
  const chunks: { value: number; words: string }[] = [];
  let rest = n;
  for (const scale of SCALES[variant]) {
    const amount = Math.floor(rest / scale.size);
    rest %= scale.size;
    if (amount) {
      const words = cardinal(amount, 'masculine', variant);
      chunks.push({ value: amount, words: `${words} ${amount === 1 ? scale.one : scale.many}` });
    }
  }
  const thousands = Math.floor(rest / 1000);
  if (thousands)
    chunks.push({ value: thousands, words: thousands === 1 ? 'mil' : `${small(thousands)} mil` });
  if (rest % 1000) chunks.push({ value: rest % 1000, words: small(rest % 1000) });
  // "e" joins the last group when it is below a hundred or whole hundreds: "mil e quinhentos",
  // "mil quinhentos e vinte", "um milhão e duzentos mil".
  return chunks
    .map(({ value, words }, i) => {
      const last = i > 0 && i === chunks.length - 1;
      return last && (value < 100 || (value < 1000 && value % 100 === 0)) ? `e ${words}` : words;
    })
    .join(' ');
}

const ORDINAL_UNITS = [
  '',
  'primeiro',
  'segundo',
  'terceiro',
  'quarto',
  'quinto',
  'sexto',
  'sétimo',
  'oitavo',
  'nono',
];
const ORDINAL_TENS = [
  '',
  'décimo',
  'vigésimo',
  'trigésimo',
  'quadragésimo',
  'quinquagésimo',
  'sexagésimo',
  'septuagésimo',
  'octogésimo',
  'nonagésimo',
];
const ORDINAL_HUNDREDS = [
  '',
  'centésimo',
  'ducentésimo',
  'trecentésimo',
  'quadringentésimo',
  'quingentésimo',
  'sexcentésimo',
  'septingentésimo',
  'octingentésimo',
  'nongentésimo',
];

/** Portuguese ordinals from 1 to 999: "vigésimo primeiro", "vigésima primeira". */
export function ordinal(n: number, gender: Gender): string {
  const words = [
    ORDINAL_HUNDREDS[Math.floor(n / 100) % 10],
    ORDINAL_TENS[Math.floor(n / 10) % 10],
    ORDINAL_UNITS[n % 10],
  ]
    .filter(Boolean)
    .join(' ');
  return gender === 'feminine' ? words.replace(/o\b/g, 'a') : words;
}
