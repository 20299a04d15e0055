import { chunkText, type VoiceSettings } from '@bolt/core';
import { paragraphsOf } from './paragraphs.ts';
import type { TtsProvider } from './provider.ts';

export interface SpeechChunk {
  /** What the engine reads: numbers, dates and abbreviations in words, the pronunciation applied. */
  text: string;
  /** The same words as written in the script, for the subtitles. */
  written: string;
  /** Silence after the chunk in the narration, in milliseconds: set on chunks that end a paragraph. */
  pauseAfterMs?: number;
}

export interface SpeechChunkOptions {
  language: string;
  voice?: string;
  settings?: VoiceSettings;
  /** Script text as plain text: the Markdown removed. */
  plain: (text: string) => string;
  /** Plain text as the voice should say it. */
  spoken: (text: string) => string;
}

/**
 * A block as chunks to synthesize, each within the engine's request limit once spoken, with the written
 * words each chunk says.
 *
 * Without a paragraph pause the block is chunked as a whole, as it always was (so speech cached before
 * paragraph pauses existed stays valid). With one, no chunk runs past a paragraph's end and the pause
 * follows that chunk in the narration; an engine that marks the pause inside its request (Google's SSML
 * voices) also gets consecutive paragraphs in one chunk, separated by a blank line, while it fits.
 */
export function speechChunks(
  engine: TtsProvider,
  text: string,
  { language, voice, settings, plain, spoken }: SpeechChunkOptions,
): SpeechChunk[] {
  const limit = engine.maxInputBytes;
  const pause = settings?.paragraph_pause_ms ?? 0;
  const pieces = (written: string) =>
    chunkText(plain(written), limit, language, (chunk) => Buffer.byteLength(spoken(chunk))).map((piece) => ({
      text: spoken(piece),
      written: piece,
    }));
  if (pause === 0) return pieces(text);
  const chunks: Array<{ parts: Array<Omit<SpeechChunk, 'pauseAfterMs'>>; paragraphEnd: boolean }> = [];
  for (const paragraph of paragraphsOf(text)) {
    const all = pieces(paragraph);
    for (const [i, piece] of all.entries()) {
      const paragraphEnd = i === all.length - 1;
      const last = chunks.at(-1);
      const joined = last?.paragraphEnd
        ? engine.paragraphInput?.(
            [...last.parts, piece].map((p) => p.text),
            voice,
            pause,
          )
        : undefined;
      if (last && joined !== undefined && Buffer.byteLength(joined) <= limit) {
        last.parts.push(piece);
        last.paragraphEnd = paragraphEnd;
      } else {
        chunks.push({ parts: [piece], paragraphEnd });
      }
    }
  }
  return chunks.map((c) => ({
    text: c.parts.map((p) => p.text).join('\n\n'),
    written: c.parts.map((p) => p.written).join('\n\n'),
    ...(c.paragraphEnd ? { pauseAfterMs: pause } : {}),
  }));
}
