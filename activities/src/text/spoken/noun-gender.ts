import type { Gender } from './common.ts';

/**
 * What a language's word endings tell of a noun's gender, with the common exceptions. Only as much as a
 * number before the noun needs: "duas pessoas", "veintiún años".
 */
interface Endings {
  /** Feminine nouns that don't end in "-a": "vez", "noite". */
  feminine: readonly string[];
  /** Masculine nouns that end in "-a": "dia", "problema". */
  masculineA: readonly string[];
  /** Words ending in "-a" or "-o" that are not nouns: articles, pronouns, adverbs, frequent verbs. */
  notNouns: readonly string[];
  /** Endings only feminine nouns have: "-ção", "-dade". */
  feminineEndings: RegExp;
  /** Whether "-o" tells a masculine noun; Portuguese numbers don't change before one. */
  masculineO: boolean;
}

function genderByEnding({ feminine, masculineA, notNouns, feminineEndings, masculineO }: Endings) {
  const feminineSet = new Set(feminine);
  const masculineSet = new Set(masculineA);
  const skipped = new Set(notNouns);
  return (word: string): Gender | undefined => {
    if (skipped.has(word)) return undefined;
    // The singular of "vezes", "noites", "dias".
    const forms = [word, word.replace(/s$/, ''), word.replace(/es$/, '')];
    if (forms.some((form) => masculineSet.has(form))) return 'masculine';
    if (forms.some((form) => feminineSet.has(form)) || feminineEndings.test(word) || /as?$/.test(word)) {
      return 'feminine';
    }
    return masculineO && /os?$/.test(word) ? 'masculine' : undefined;
  };
}

const MASCULINE_A = [
  'problema',
  'sistema',
  'tema',
  'programa',
  'planeta',
  'clima',
  'idioma',
  'poema',
  'drama',
  'diploma',
  'fantasma',
  'esquema',
  'enigma',
  'dilema',
  'cometa',
  'papa',
  'pijama',
  'profeta',
  'poeta',
  'pirata',
  'astronauta',
  'mapa',
];

export const portugueseGender = genderByEnding({
  feminine: [
    'vez',
    'mulher',
    'noite',
    'tarde',
    'torre',
    'ponte',
    'flor',
    'cor',
    'mãe',
    'lei',
    'rede',
    'parede',
  ],
  masculineA: [...MASCULINE_A, 'dia', 'telefonema', 'cinema'],
  notNouns: [
    ...['a', 'as', 'da', 'das', 'na', 'nas', 'pela', 'pelas', 'para', 'contra', 'ela', 'elas', 'uma', 'umas'],
    ...['essa', 'essas', 'esta', 'estas', 'aquela', 'aquelas', 'outra', 'outras', 'toda', 'todas', 'cada'],
    ...[
      'nenhuma',
      'alguma',
      'algumas',
      'muitas',
      'poucas',
      'mesma',
      'mesmas',
      'sua',
      'suas',
      'nossa',
      'nossas',
    ],
    ...[
      'agora',
      'fora',
      'embora',
      'nunca',
      'ainda',
      'apenas',
      'mas',
      'era',
      'estava',
      'tinha',
      'havia',
      'seria',
    ],
  ],
  feminineEndings: /(?:ção|ções|.são|sões|dade|dades|agem|agens)$/,
  masculineO: false,
});

export const spanishGender = genderByEnding({
  feminine: [
    'vez',
    'mujer',
    'noche',
    'tarde',
    'torre',
    'flor',
    'madre',
    'ley',
    'red',
    'pared',
    'calle',
    'gente',
  ],
  masculineA: [...MASCULINE_A, 'día', 'telegrama'],
  notNouns: [
    ...[
      'a',
      'la',
      'las',
      'una',
      'unas',
      'para',
      'contra',
      'hacia',
      'hasta',
      'ella',
      'ellas',
      'cada',
      'ahora',
    ],
    ...['esa', 'esas', 'esta', 'estas', 'aquella', 'aquellas', 'otra', 'otras', 'toda', 'todas', 'nunca'],
    ...[
      'ninguna',
      'alguna',
      'algunas',
      'muchas',
      'pocas',
      'misma',
      'mismas',
      'suya',
      'suyas',
      'nuestra',
      'nuestras',
    ],
    ...['era', 'estaba', 'tenía', 'había', 'sería', 'todavía', 'apenas', 'mas'],
    ...[
      'o',
      'lo',
      'los',
      'no',
      'nos',
      'como',
      'pero',
      'todo',
      'todos',
      'esto',
      'eso',
      'estos',
      'esos',
      'otro',
    ],
    ...['otros', 'uno', 'unos', 'ellos', 'nosotros', 'mucho', 'muchos', 'poco', 'pocos', 'alguno', 'algunos'],
    ...['ambos', 'tanto', 'tantos', 'tampoco', 'luego', 'cuando', 'dentro', 'solo', 'sólo', 'medio', 'mismo'],
  ],
  feminineEndings: /(?:ción|ciones|sión|siones|dad|dades|tad|tades|tud|tudes|umbre|umbres)$/,
  masculineO: true,
});
