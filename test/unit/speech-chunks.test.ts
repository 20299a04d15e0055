import { EspeakTtsProvider, GoogleTtsProvider, speechChunks } from '@bolt/activities';
import { chunkText, voiceSettingsSchema } from '@bolt/core';
import { describe, expect, it } from 'vitest';

const espeak = new EspeakTtsProvider();
const google = new GoogleTtsProvider({ apiKey: '' });
/** What the voice reads: Markdown emphasis dropped, spaces collapsed. */
const plain = (text: string) => text.replace(/[*_]/g, '').replace(/\s+/g, ' ').trim();
const asWritten = { plain, spoken: (text: string) => text };
/** Written and spoken alike: the chunks of an engine that gets the text as written. */
const same = (text: string) => ({ text, written: text });
const block = 'The *first* paragraph. It has two sentences.\n\nThe second one.\n\n\n  The third.  ';
const pause = voiceSettingsSchema.parse({ paragraph_pause_ms: 800 });

describe('speech chunks', () => {
  it('without a paragraph pause, chunk the block as a whole, as before', () => {
    for (const settings of [undefined, voiceSettingsSchema.parse({ rate: 1.3 })])
      expect(speechChunks(google, block, { ...asWritten, ...{ language: 'en-US', settings } })).toEqual(
        chunkText(plain(block), google.maxInputBytes, 'en-US').map(same),
      );
  });

  it('with one, end a chunk at every paragraph and pause after it, for an engine without SSML', () => {
    expect(speechChunks(espeak, block, { ...asWritten, ...{ language: 'en-US', settings: pause } })).toEqual([
      { ...same('The first paragraph. It has two sentences.'), pauseAfterMs: 800 },
      { ...same('The second one.'), pauseAfterMs: 800 },
      { ...same('The third.'), pauseAfterMs: 800 },
    ]);
    const chirp = { language: 'en-US', voice: 'en-US-Chirp3-HD-Kore', settings: pause };
    expect(speechChunks(google, block, { ...asWritten, ...chirp })).toHaveLength(3);
  });

  it('pause only where a paragraph ends, when a long paragraph takes several chunks', () => {
    const sentence = `${'word '.repeat(150).trim()}.`;
    const long = `${Array(6).fill(sentence).join(' ')}\n\nShort.`;
    const chunks = speechChunks(espeak, long, { ...asWritten, ...{ language: 'en-US', settings: pause } });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.pauseAfterMs)).toEqual([
      ...Array(chunks.length - 2).fill(undefined),
      800,
      800,
    ]);
    expect(chunks.every((c) => Buffer.byteLength(c.text) <= espeak.maxInputBytes)).toBe(true);
  });

  it('keep paragraphs together for SSML voices while the SSML fits the request', () => {
    const wavenet = { language: 'en-US', voice: 'en-US-Wavenet-A', settings: pause };
    expect(speechChunks(google, block, { ...asWritten, ...wavenet })).toEqual([
      {
        ...same('The first paragraph. It has two sentences.\n\nThe second one.\n\nThe third.'),
        pauseAfterMs: 800,
      },
    ]);
    // Escaping makes "&" five bytes: 1,200 of them fit as text but not as SSML, so they start a chunk.
    const ampersands = `Intro.\n\n${'& '.repeat(1200).trim()}`;
    const chunks = speechChunks(google, ampersands, { ...asWritten, ...wavenet });
    expect(chunks.map((c) => c.text.slice(0, 6))).toEqual(['Intro.', '& & & ']);
    for (const c of chunks) {
      const ssml = google.paragraphInput(c.text.split('\n\n'), wavenet.voice, 800) ?? '';
      expect(Buffer.byteLength(c.text.includes('\n\n') ? ssml : c.text)).toBeLessThanOrEqual(5000);
    }
  });

  it('measure chunks as spoken, and keep the written words of each for the subtitles', () => {
    // Numbers said in words take more bytes than their digits: the limit applies to the spoken text.
    const spoken = (text: string) => text.replace(/\d+/g, (n) => 'number '.repeat(n.length).trim());
    const text = Array.from({ length: 200 }, (_, i) => `Sentence ${1000 + i} here.`).join(' ');
    const chunks = speechChunks(espeak, text, { plain, spoken, language: 'en-US' });
    expect(chunks.length).toBeGreaterThan(chunkText(text, espeak.maxInputBytes).length);
    for (const c of chunks) {
      expect(Buffer.byteLength(c.text)).toBeLessThanOrEqual(espeak.maxInputBytes);
      expect(c.text).toBe(spoken(c.written));
    }
    expect(chunks.map((c) => c.written).join(' ')).toBe(text);
  });
});
