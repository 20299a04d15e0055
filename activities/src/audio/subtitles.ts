export interface Cue {
  start: number;
  end: number;
  text: string;
}

export interface TimedChunk {
  text: string;
  /** Seconds, as measured in the assembled audio. */
  start: number;
  duration: number;
}

/** Readable subtitle lines: a cue holds at most about this many characters. */
const MAX_CUE_CHARS = 120;

/**
 * Cues from the chunks' measured times. A chunk's start and end are exact; within a chunk each sentence
 * (or piece of a long sentence) gets a share of the chunk's time in proportion to its length.
 */
export function cues(chunks: TimedChunk[], locale?: string): Cue[] {
  const out: Cue[] = [];
  for (const chunk of chunks) {
    const pieces = readablePieces(chunk.text, locale);
    const total = pieces.reduce((n, p) => n + p.length, 0) || 1;
    let at = chunk.start;
    for (const piece of pieces) {
      const length = (chunk.duration * piece.length) / total;
      out.push({ start: at, end: at + length, text: piece });
      at += length;
    }
  }
  return out;
}

/** A title before a name ("Mr. Smith", "D. Pedro"): the sentence segmenter takes its period for an end. */
const title = /(?:^|\s)(?:Mr|Mrs|Ms|Dr|Dra|St|Sr|Sra|Srta|Prof|Profa|Mme|Mlle|Hr|Fr|Sig|Dott|Jr|D|M)\.$/;

/** A text's sentences, a title's period not taken for the end of one. */
function sentencesOf(text: string, locale?: string): string[] {
  const sentences: string[] = [];
  for (const { segment } of new Intl.Segmenter(locale, { granularity: 'sentence' }).segment(text)) {
    const last = sentences.length - 1;
    if (last >= 0 && title.test(sentences[last] ?? '')) sentences[last] += ` ${segment.trim()}`;
    else sentences.push(segment.trim());
  }
  return sentences.filter(Boolean);
}

function readablePieces(text: string, locale?: string): string[] {
  return sentencesOf(text, locale).flatMap((sentence) => {
    if (sentence.length <= MAX_CUE_CHARS) return [sentence];
    const words = Array.from(
      new Intl.Segmenter(locale, { granularity: 'word' }).segment(sentence),
      (s) => s.segment,
    );
    const pieces = [''];
    for (const word of words) {
      const current = pieces.length - 1;
      if ((pieces[current] ?? '').length + word.length > MAX_CUE_CHARS && pieces[current]?.trim())
        pieces.push('');
      pieces[pieces.length - 1] += word;
    }
    return pieces.map((p) => p.trim()).filter(Boolean);
  });
}

function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

export function toSrt(list: Cue[]): string {
  return list
    .map((c, i) => `${i + 1}\n${timestamp(c.start, ',')} --> ${timestamp(c.end, ',')}\n${c.text}\n`)
    .join('\n');
}

export function toVtt(list: Cue[]): string {
  const body = list.map((c) => `${timestamp(c.start, '.')} --> ${timestamp(c.end, '.')}\n${c.text}\n`);
  return ['WEBVTT\n', ...body].join('\n');
}
