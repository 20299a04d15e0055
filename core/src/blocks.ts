/** One section of the script, as planned from the agent's block-structure prompt. */
export interface BlockPlan {
  index: number;
  title: string;
  targetWords: number;
}

const DEFAULT_BLOCKS = 5;
const DEFAULT_WORDS = 300;
const COUNT =
  /(\d+)\s*(?:blocos?|blocks?|bloques?|partes?|parts?|se[cç](?:tion|[aã]o|[oõ]es|tions)s?|sections?)/i;
const WORDS = /~?\s*(\d+)\s*(?:palavras|words|palabras|mots)/i;
const LIST_ITEM = /^\s*(?:\d+[.)]|[-*•])\s+(.+)$/;

/**
 * Turns a block-structure prompt such as "5 blocos de ~600 palavras: gancho, contexto, conflito,
 * virada, resolução" (or a numbered / bulleted list, one block per line) into a block plan.
 * Local and deterministic: the same prompt always gives the same plan.
 */
export function planBlocks(prompt: string): BlockPlan[] {
  const listed = prompt
    .split('\n')
    .map((line) => LIST_ITEM.exec(line)?.[1]?.trim())
    .filter((item): item is string => Boolean(item));
  const afterColon = prompt.includes(':') ? prompt.slice(prompt.indexOf(':') + 1) : '';
  const inline = afterColon
    .split(/[,;\n]|\s+e\s+|\s+and\s+|\s+y\s+/)
    .map((s) => s.trim().replace(/\.$/, ''))
    .filter((s) => s.length > 0 && s.length <= 80);
  const names = listed.length >= 2 ? listed : inline;

  const count = Number(COUNT.exec(prompt)?.[1] ?? 0) || names.length || DEFAULT_BLOCKS;
  const words = Number(WORDS.exec(prompt)?.[1] ?? 0) || DEFAULT_WORDS;
  return Array.from({ length: Math.min(count, 50) }, (_, index) => ({
    index,
    title: names[index] ? cleanTitle(names[index]) : `Block ${index + 1}`,
    targetWords: Math.min(Math.max(words, 20), 5_000),
  }));
}

function cleanTitle(item: string): string {
  const title = item.split(/\s[-–—:]\s|:\s/)[0] ?? item;
  return title.charAt(0).toUpperCase() + title.slice(1);
}
