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

/**
 * The fewest word substitutions, deletions and insertions that turn `a` into `b`. Words alike at both
 * ends cost nothing, so only the words between are compared each with each (a transcript mostly agrees
 * with its text), one row of the table at a time.
 */
function editDistance(a: string[], b: string[]): number {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  let previous = Int32Array.from({ length: y.length + 1 }, (_, j) => j);
  let current = new Int32Array(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    const word = x[i - 1];
    current[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (word === y[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[y.length] ?? 0;
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
