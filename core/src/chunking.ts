const encoder = new TextEncoder();
const byteLength = (s: string) => encoder.encode(s).length;

function segments(text: string, granularity: 'sentence' | 'word' | 'grapheme', locale?: string): string[] {
  const segmenter = new Intl.Segmenter(locale, { granularity });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/**
 * The largest n from 0 to `count` for which `fits(n)`, when it holds up to some n and for none above:
 * tried at `guess`, then away from it in doubling steps until the answer is between two tries, then
 * halving the gap. A few tries, where trying every n in turn takes as many as the answer.
 */
function mostThatFit(count: number, fits: (n: number) => boolean, guess: number): number {
  if (count === 0) return 0;
  let low = 0; // fits: nothing added
  let high = count + 1; // does not fit: past the end
  let step = 1;
  const first = Math.min(Math.max(guess, 1), count);
  if (fits(first)) {
    low = first;
    for (; high > count && low < count; step *= 2) {
      const n = Math.min(count, low + step);
      if (fits(n)) low = n;
      else high = n;
    }
  } else {
    high = first;
    for (; low === 0 && high > 1; step *= 2) {
      const n = Math.max(1, high - step);
      if (fits(n)) low = n;
      else high = n;
    }
  }
  while (high - low > 1) {
    const n = Math.floor((low + high) / 2);
    if (fits(n)) low = n;
    else high = n;
  }
  return low;
}

/**
 * Splits text into chunks of at most `maxBytes` UTF-8 bytes (TTS providers limit bytes, not
 * characters), on sentence boundaries where possible, else on word boundaries, and only splits inside
 * a word that alone exceeds the limit. Works for every script Intl.Segmenter knows (CJK, Devanagari…).
 * `size` measures a candidate chunk: by default its bytes; the bytes of what it becomes when the
 * engine receives something else (the text as spoken, with numbers in words). Each chunk takes as many
 * whole sentences as fit, found by measuring a few candidate chunks rather than the chunk again after
 * each sentence (a chunk of a hundred sentences would be measured a hundred times, the measuring being
 * most of the cost when `size` rewrites the text): so `size` must not shrink as a chunk gains a sentence.
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
  const fits = (chunk: string) => size(chunk.trim()) <= maxBytes;
  /** A piece that does not fit after the current chunk starts the next, split if it does not fit alone. */
  const place = (piece: string) => {
    if (current.trim()) chunks.push(current.trim());
    current = '';
    if (fits(piece)) {
      current = piece;
    } else {
      const words = segments(piece, 'word', locale);
      for (const part of words.length > 1 ? words : segments(piece, 'grapheme')) push(part);
    }
  };
  const push = (piece: string) => {
    if (fits(current + piece)) current += piece;
    else place(piece);
  };
  const sentences = segments(text.replace(/\s+/g, ' ').trim(), 'sentence', locale);
  const written = sentences.map(byteLength);
  for (let i = 0; i < sentences.length; ) {
    const run = (n: number) => current + sentences.slice(i, i + n).join('');
    // The search starts from as many sentences as fit by their written bytes.
    let guess = 0;
    let bytes = byteLength(current);
    while (i + guess < sentences.length && bytes + (written[i + guess] ?? 0) <= maxBytes)
      bytes += written[i + guess++] ?? 0;
    const n = mostThatFit(sentences.length - i, (n) => fits(run(n)), guess);
    current = run(n);
    i += n;
    const next = sentences[i++];
    if (next !== undefined) place(next);
  }
  if (current.trim()) chunks.push(current.trim());
  return chunks;
}
