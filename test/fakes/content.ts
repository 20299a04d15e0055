import { createHash } from 'node:crypto';

/** Hex SHA-256 of the parts, joined by a separator no text contains. */
export function hashOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A small seeded generator (mulberry32): the same seed gives the same sequence on every run. */
export function seeded(hash: string): () => number {
  let state = Number.parseInt(hash.slice(0, 8), 16) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tokens for a number of words, at about 1.3 tokens a word. */
export function tokensFor(words: number): number {
  return Math.ceil(words * 1.3);
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** How long an answer the prompt asks for: "about N words", else about 60. */
export function wantedWords(prompt: string): number {
  const m = /about\s+(\d{1,5})\s+words/i.exec(prompt);
  return m ? Math.max(1, Number(m[1])) : 60;
}

/**
 * Phrases of a story per language, none longer than two words, so that every run of four words spans
 * two or more random picks: a fixed phrase of four words would recur across sentences, which is what a
 * looping model does and what the quality checks fail.
 */
interface Phrases {
  openers: string[];
  subjects: string[];
  verbs: string[];
  objects: string[];
  tails: string[];
}

const phrases: Record<string, Phrases> = {
  en: {
    openers: ['That night,', 'Years later,', 'Even so,', 'At first,', 'Meanwhile,', 'Quietly,'],
    subjects: [
      'the ferryman',
      'a widow',
      'the priest',
      'her grandfather',
      'the stranger',
      'a fisherman',
      'the mayor',
      'nobody',
      'the soldiers',
      'the engineer',
      'my mother',
      'the miller',
    ],
    verbs: [
      'remembered',
      'carried',
      'watched',
      'built',
      'hid',
      'found',
      'crossed',
      'lost',
      'rebuilt',
      'defended',
      'painted',
      'sold',
    ],
    objects: [
      'the bridge',
      'a letter',
      'the lantern',
      'the river',
      'a promise',
      'the tower',
      'a map',
      'the gate',
      'a chest',
      'the coin',
      'the boat',
      'a key',
    ],
    tails: [
      'before dawn',
      'in secret',
      'for years',
      'without fear',
      'in silence',
      'after midnight',
      'every winter',
      'with care',
      'at sunset',
      'once more',
      'near Lisbon',
      'by hand',
    ],
  },
  pt: {
    openers: [
      'Naquela noite,',
      'Anos depois,',
      'Mesmo assim,',
      'No começo,',
      'Enquanto isso,',
      'Em silêncio,',
    ],
    subjects: [
      'o barqueiro',
      'uma viúva',
      'o padre',
      'seu avô',
      'o forasteiro',
      'um pescador',
      'o prefeito',
      'ninguém',
      'os soldados',
      'o engenheiro',
      'minha mãe',
      'o moleiro',
    ],
    verbs: [
      'lembrou',
      'carregou',
      'observou',
      'construiu',
      'escondeu',
      'encontrou',
      'atravessou',
      'perdeu',
      'reconstruiu',
      'defendeu',
      'pintou',
      'vendeu',
    ],
    objects: [
      'a ponte',
      'uma carta',
      'a lanterna',
      'o rio',
      'uma promessa',
      'a torre',
      'um mapa',
      'o portão',
      'um baú',
      'a moeda',
      'o barco',
      'uma chave',
    ],
    tails: [
      'ao amanhecer',
      'em segredo',
      'por anos',
      'sem medo',
      'em silêncio',
      'de madrugada',
      'todo inverno',
      'com cuidado',
      'ao entardecer',
      'outra vez',
      'em Lisboa',
      'à mão',
    ],
  },
  es: {
    openers: [
      'Aquella noche,',
      'Años después,',
      'Aun así,',
      'Al principio,',
      'Mientras tanto,',
      'En silencio,',
    ],
    subjects: [
      'el barquero',
      'una viuda',
      'el cura',
      'su abuelo',
      'el forastero',
      'un pescador',
      'el alcalde',
      'nadie',
      'los soldados',
      'el ingeniero',
      'mi madre',
      'el molinero',
    ],
    verbs: [
      'recordó',
      'llevó',
      'miró',
      'construyó',
      'escondió',
      'encontró',
      'cruzó',
      'perdió',
      'reconstruyó',
      'defendió',
      'pintó',
      'vendió',
    ],
    objects: [
      'el puente',
      'una carta',
      'la linterna',
      'el río',
      'una promesa',
      'la torre',
      'un mapa',
      'la puerta',
      'un baúl',
      'la moneda',
      'el barco',
      'una llave',
    ],
    tails: [
      'al amanecer',
      'en secreto',
      'durante años',
      'sin miedo',
      'en silencio',
      'tras medianoche',
      'cada invierno',
      'con cuidado',
      'al atardecer',
      'otra vez',
      'en Sevilla',
      'a mano',
    ],
  },
  fr: {
    openers: [
      'Cette nuit-là,',
      'Des années après,',
      'Pourtant,',
      'Au début,',
      'Pendant ce temps,',
      'En silence,',
    ],
    subjects: [
      'le passeur',
      'une veuve',
      'le curé',
      'son oncle',
      "l'étranger",
      'un pêcheur',
      'le maire',
      'personne',
      'les soldats',
      "l'ingénieur",
      'ma mère',
      'le meunier',
    ],
    verbs: [
      'a retrouvé',
      'a porté',
      'a regardé',
      'a construit',
      'a caché',
      'a trouvé',
      'a traversé',
      'a perdu',
      'a rebâti',
      'a défendu',
      'a peint',
      'a vendu',
    ],
    objects: [
      'le pont',
      'une lettre',
      'la lanterne',
      'la rivière',
      'une promesse',
      'la tour',
      'une carte',
      'la porte',
      'un coffre',
      'la pièce',
      'le bateau',
      'une clé',
    ],
    tails: [
      "à l'aube",
      'en secret',
      'pendant longtemps',
      'sans crainte',
      'en silence',
      'après minuit',
      'chaque hiver',
      'avec soin',
      'au crépuscule',
      'de nouveau',
      'à Lyon',
      'à la main',
    ],
  },
  de: {
    openers: [],
    subjects: [
      'der Fährmann',
      'eine Witwe',
      'der Pfarrer',
      'ihr Großvater',
      'der Fremde',
      'ein Fischer',
      'der Bürgermeister',
      'niemand',
      'die Soldaten',
      'der Ingenieur',
      'meine Mutter',
      'der Müller',
    ],
    verbs: [
      'sah',
      'trug',
      'bewachte',
      'baute',
      'versteckte',
      'fand',
      'überquerte',
      'verlor',
      'erneuerte',
      'verteidigte',
      'malte',
      'verkaufte',
    ],
    objects: [
      'die Brücke',
      'einen Brief',
      'die Laterne',
      'den Fluss',
      'ein Versprechen',
      'den Turm',
      'eine Karte',
      'das Tor',
      'eine Kiste',
      'die Münze',
      'das Boot',
      'einen Schlüssel',
    ],
    tails: [
      'im Morgengrauen',
      'ganz heimlich',
      'jahrelang',
      'ohne Angst',
      'in Stille',
      'nach Mitternacht',
      'jeden Winter',
      'mit Sorgfalt',
      'bei Sonnenuntergang',
      'noch einmal',
      'bei Hamburg',
      'von Hand',
    ],
  },
  it: {
    openers: ['Quella notte,', 'Anni dopo,', 'Eppure,', "All'inizio,", 'Nel frattempo,', 'In silenzio,'],
    subjects: [
      'il traghettatore',
      'una vedova',
      'il parroco',
      'suo nonno',
      'lo straniero',
      'un pescatore',
      'il sindaco',
      'nessuno',
      'i soldati',
      "l'ingegnere",
      'mia madre',
      'il mugnaio',
    ],
    verbs: [
      'ricordò',
      'portò',
      'guardò',
      'costruì',
      'nascose',
      'trovò',
      'attraversò',
      'perse',
      'ricostruì',
      'difese',
      'dipinse',
      'vendette',
    ],
    objects: [
      'il ponte',
      'una lettera',
      'la lanterna',
      'il fiume',
      'una promessa',
      'la torre',
      'una mappa',
      'il cancello',
      'un baule',
      'la moneta',
      'la barca',
      'una chiave',
    ],
    tails: [
      "all'alba",
      'in segreto',
      'per anni',
      'senza paura',
      'in silenzio',
      'dopo mezzanotte',
      'ogni inverno',
      'con cura',
      'al tramonto',
      'di nuovo',
      'a Napoli',
      'a mano',
    ],
  },
};

/** Language names as Bolt's prompts write them (Intl's English names), to the phrases' language. */
const languageNames: Record<string, string> = {
  English: 'en',
  Portuguese: 'pt',
  Spanish: 'es',
  French: 'fr',
  German: 'de',
  Italian: 'it',
};

/**
 * The language a prompt asks for: the last "in <Language>" of an instruction ("Rewrite the following
 * text in European Spanish", 'block 2 ("…") in Brazilian Portuguese', "Language: Portuguese", "Write
 * only in French"); English when it names none the fake writes.
 */
export function languageAsked(prompt: string): string {
  const asked = [...prompt.matchAll(/(?:text in|Language:|"\) in|only in|into)\s+(\p{L}+(?:\s+\p{L}+)?)/gu)];
  const words = (asked.at(-1)?.[1] ?? '').split(/\s+/);
  return languageNames[words.find((w) => w in languageNames) ?? ''] ?? 'en';
}

/**
 * A story's sentences, each phrase picked at random but, where it can be, not after the same phrase as
 * before: two phrases in a row never recur often, as in a text that is not looping.
 */
function storyteller(rand: () => number, p: Phrases) {
  const used = new Set<string>();
  let last = '';
  const next = (list: string[]): string => {
    let phrase = list[0] ?? '';
    for (let tries = 0; tries < 8; tries++) {
      phrase = list[Math.floor(rand() * list.length)] ?? '';
      if (!used.has(`${last}|${phrase}`)) break;
    }
    used.add(`${last}|${phrase}`);
    last = phrase;
    return phrase;
  };
  return (): string[] => {
    const words = [
      ...(p.openers.length && rand() < 0.4 ? next(p.openers).split(' ') : []),
      ...[p.subjects, p.verbs, p.objects, p.tails].flatMap((list) => next(list).split(' ')),
    ];
    const first = words[0] ?? '';
    words[0] = first.charAt(0).toUpperCase() + first.slice(1);
    return words;
  };
}

/**
 * Prose of exactly `words` words in `language` (en, pt, es, fr, de or it), the same for the same seed:
 * sentences of a story, four to a paragraph, the last one shortened to fit (and kept with the paragraph
 * before when that leaves it a fragment).
 */
export function prose(hash: string, words: number, language = 'en'): string {
  const sentence = storyteller(seeded(hash), phrases[language] ?? (phrases.en as Phrases));
  const paragraphs: string[][] = [];
  let left = words;
  while (left > 0) {
    const s = sentence().slice(0, left);
    left -= s.length;
    const text = `${s.join(' ').replace(/,$/, '')}.`;
    const current = paragraphs.at(-1);
    if (current && (current.length < 4 || s.length < 4)) current.push(text);
    else paragraphs.push([text]);
  }
  return paragraphs.map((p) => p.join(' ')).join('\n\n');
}

/** `count` short headings in `language`, one per line, as a model translating a list of titles answers. */
export function headings(hash: string, count: number, language = 'en'): string {
  const rand = seeded(hash);
  const objects = (phrases[language] ?? (phrases.en as Phrases)).objects;
  return Array.from({ length: count }, () => {
    const heading = objects[Math.floor(rand() * objects.length)] ?? '';
    return heading.charAt(0).toUpperCase() + heading.slice(1);
  }).join('\n');
}

/** The first `words` words of a text, as a model cut off mid-sentence would leave it. */
export function firstWords(text: string, words: number): string {
  const out: string[] = [];
  let n = 0;
  for (const paragraph of text.split('\n\n')) {
    const ws = paragraph.split(' ').slice(0, words - n);
    if (!ws.length) break;
    out.push(ws.join(' '));
    n += ws.length;
    if (n >= words) break;
  }
  return out.join('\n\n');
}

/**
 * A quiet sine tone as signed 16-bit little-endian mono samples: frequency from the hash, length from
 * `durationMs`, with short fades so that joined chunks do not click.
 */
export function tone(hash: string, durationMs: number, sampleRate: number): Buffer {
  const frequency = 180 + (Number.parseInt(hash.slice(8, 12), 16) % 300);
  const samples = Math.max(1, Math.round((durationMs / 1000) * sampleRate));
  const fade = Math.min(Math.round(sampleRate * 0.01), Math.floor(samples / 2));
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const envelope = Math.min(1, i / (fade || 1), (samples - 1 - i) / (fade || 1));
    const value = Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * 2600 * envelope);
    out.writeInt16LE(value, i * 2);
  }
  return out;
}

/** 16-bit mono PCM wrapped in a RIFF/WAVE header. */
export function wav(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
