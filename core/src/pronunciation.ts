const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Applies a pronunciation dictionary: every whole-word occurrence (any case, any script) of a key is
 * replaced by how it should be said. Longer keys win over keys they contain.
 */
export function applyPronunciation(text: string, dictionary: Record<string, string>): string {
  const words = Object.keys(dictionary).sort((a, b) => b.length - a.length);
  if (words.length === 0) return text;
  const lower = new Map(Object.entries(dictionary).map(([k, v]) => [k.toLocaleLowerCase(), v]));
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(${words.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`,
    'giu',
  );
  return text.replace(pattern, (match) => lower.get(match.toLocaleLowerCase()) ?? match);
}
