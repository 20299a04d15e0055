// Word error rate: how far a transcript of the audio is from the text that was meant to be spoken.
// The npm packages for it either divide by the longer side, split on single spaces only or work on
// characters; a word-level Levenshtein is short enough to keep here.

/**
 * Text reduced to what speech carries: lowercase (NFC, accents kept), Unicode letters, marks and digits
 * only, words separated by single spaces. Punctuation separates words; an apostrophe inside a word
 * (don't, l'eau) stays, as any other is a quote.
 */
export function normaliseForWer(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[’ʼ]/g, "'")
    .replace(/[^\p{L}\p{M}\p{N}']+|(?<![\p{L}\p{M}\p{N}])'|'(?![\p{L}\p{M}\p{N}])/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

const wordsOf = (text: string) => normaliseForWer(text).split(' ').filter(Boolean);

/** The fewest word substitutions, deletions and insertions that turn `a` into `b`. */
function editDistance(a: string[], b: string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Word edits per reference word, after normalising both sides: 0 when they match, above 1 when the
 * hypothesis adds more words than the reference has. Scripts written without spaces (Japanese, Chinese)
 * count each run of text as one word.
 */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const expected = wordsOf(reference);
  const heard = wordsOf(hypothesis);
  if (expected.length === 0) return heard.length === 0 ? 0 : 1;
  return editDistance(expected, heard) / expected.length;
}
