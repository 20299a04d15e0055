import { instructions } from '../prompts.ts';

/** Case- and space-insensitive pattern for a fixed sentence of ours, wherever a reply repeats it. */
const echo = (sentence: string) =>
  new RegExp(sentence.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'gi');

/** Our instructions, fixed or with their parameters, as a model may echo them back. */
const echoedInstructions = [
  ...Object.values(instructions).map(echo),
  /^\s*write (?:the premise|block \d+\b[^\n]*?words?,? continuing the story)\.?\s*$/gim,
  /^\s*rewrite the following text in [^\n]*$/gim,
  /^\s*(?:write (?:the opening|the ending|what happens next)\b|translate this text into |retell this text in other words|do not repeat it\.)[^\n]*$/gim,
  /^\s*(?:title|premise|structure|language|cultural settings for [\w-]+):[^\n]*$/gim,
];

/** An opening line that introduces the text instead of being part of it. */
const preamble =
  /^\s*(?:(?:sure|certainly|of course|okay|ok)\b[^\n]*|(?:here(?:'s| is| are)|aqui est[aá]|aqu[ií] est[aá]|voici|hier ist|ecco)(?=[\s:])[^\n]*:)\s*\n/i;

/** A label the model put before the text: "Block 2:", "**Bloco 3 –**". */
const blockLabel = /^[*_\s]*(?:block|bloco|bloque|bloc|part|parte)\s+\d+\s*[*_]*\s*[:.–—-]\s*[*_]*\s*/gim;

/**
 * A model's reply as script text: our echoed instructions, preambles ("Here is the text:"), block
 * labels, Markdown (headings, emphasis, lists, rules), stage directions in square brackets and emoji
 * are removed; paragraphs are kept. The script's own headings are added when it is assembled, so none
 * belongs in a reply.
 */
export function cleanReply(reply: string): string {
  let text = reply.replace(/\r\n?/g, '\n');
  for (const pattern of echoedInstructions) text = text.replace(pattern, '');
  text = text.replace(preamble, '').replace(blockLabel, '');
  text = text
    .replace(/^\s{0,3}#{1,6}\s[^\n]*$/gm, '') // headings
    .replace(/^\s*(?:[-*_]\s*){3,}$/gm, '') // rules
    .replace(/^\s*(?:[-*+•]|\d+[.)])\s+/gm, '') // list markers
    .replace(/(\*\*|__|\*|_|`)(\S(?:[^\n]*?\S)?)\1/g, '$2') // emphasis and code
    .replace(/\[[^\]\n]{0,120}\]/g, '') // [stage directions]
    .replace(/\s*(?:\p{Extended_Pictographic}|\u{FE0F}|\u{200D}|\u{20E3})+/gu, ''); // emoji
  return text
    .split(/\n\s*\n/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => line.replace(/[ \t]+/g, ' ').trim())
        .filter(Boolean)
        .join('\n'),
    )
    .filter(Boolean)
    .join('\n\n');
}

/** Where the text's last full sentence ends (after its closing quote or bracket); 0 when none does. */
export function lastSentenceEnd(text: string): number {
  const ends = [...text.matchAll(/[.!?…]+["'”’»)]*(?=\s|$)/g)];
  const last = ends.at(-1);
  return last ? (last.index ?? 0) + last[0].length : 0;
}
