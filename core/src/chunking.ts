const encoder = new TextEncoder();
const byteLength = (s: string) => encoder.encode(s).length;

function segments(text: string, granularity: 'sentence' | 'word' | 'grapheme', locale?: string): string[] {
  const segmenter = new Intl.Segmenter(locale, { granularity });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/**
 * Splits text into chunks of at most `maxBytes` UTF-8 bytes (TTS providers limit bytes, not
 * characters), on sentence boundaries where possible, else on word boundaries, and only splits inside
 * a word that alone exceeds the limit. Works for every script Intl.Segmenter knows (CJK, Devanagari…).
 * `size` measures a candidate chunk: by default its bytes; the bytes of what it becomes when the
 * engine receives something else (the text as spoken, with numbers in words).
 */
export function chunkText(
  text: string,
  maxBytes: number,
  locale?: string,
  size: (chunk: string) => number = byteLength,
): string[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must be at least 4');
  const chunks: string[] = [];
  let current = '';
  const push = (piece: string) => {
    if (size((current + piece).trim()) <= maxBytes) {
      current += piece;
      return;
    }
    if (current.trim()) chunks.push(current.trim());
    current = '';
    if (size(piece.trim()) <= maxBytes) {
      current = piece;
    } else {
      const words = segments(piece, 'word', locale);
      for (const part of words.length > 1 ? words : segments(piece, 'grapheme')) push(part);
    }
  };
  for (const sentence of segments(text.replace(/\s+/g, ' ').trim(), 'sentence', locale)) push(sentence);
  if (current.trim()) chunks.push(current.trim());
  return chunks;
}
