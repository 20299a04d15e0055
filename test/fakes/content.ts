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

const openers = [
  'That night,',
  'Years later,',
  'Even so,',
  'At first,',
  'In the end,',
  'Meanwhile,',
  'Quietly,',
  'Somehow,',
];
const subjects = [
  'the old ferryman',
  'a young widow',
  'the village priest',
  'her grandfather',
  'the stranger from the north',
  'a fisherman from the coast',
  'the mayor',
  'nobody in town',
  'the soldiers',
  'an elderly neighbour',
  'the children of the square',
  'the engineer',
];
const verbs = [
  'remembered',
  'carried',
  'watched',
  'built',
  'hid',
  'found',
  'crossed',
  'waited for',
  'whispered about',
  'lost',
  'rebuilt',
  'defended',
];
const objects = [
  'the stone bridge',
  'a sealed letter',
  'the last lantern',
  'the river at night',
  'an old promise',
  'the bell tower',
  'a forgotten map',
  'the broken gate',
  'a wooden chest',
  'the silver coin',
  'the northern road',
  'the family secret',
];
const tails = [
  'before the storm arrived',
  'while the town slept',
  'for almost forty years',
  'without telling anyone',
  'as the water kept rising',
  'on the coldest night of winter',
  'long after the war ended',
  'under a sky full of smoke',
  'until the morning bells rang',
  'because someone had to',
  'and never looked back',
  'in front of the whole village',
];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function sentence(rand: () => number): string[] {
  const words = [
    ...(rand() < 0.4 ? pick(rand, openers).split(' ') : []),
    ...pick(rand, subjects).split(' '),
    ...pick(rand, verbs).split(' '),
    ...pick(rand, objects).split(' '),
    ...pick(rand, tails).split(' '),
  ];
  const first = words[0] ?? '';
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words;
}

/**
 * Prose of exactly `words` words, the same for the same seed: sentences of a story, four to a
 * paragraph, the last one shortened to fit.
 */
export function prose(hash: string, words: number): string {
  const rand = seeded(hash);
  const paragraphs: string[] = [];
  let current: string[] = [];
  let left = words;
  while (left > 0) {
    const s = sentence(rand).slice(0, left);
    left -= s.length;
    current.push(`${s.join(' ').replace(/,$/, '')}.`);
    if (current.length === 4) {
      paragraphs.push(current.join(' '));
      current = [];
    }
  }
  if (current.length) paragraphs.push(current.join(' '));
  return paragraphs.join('\n\n');
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
