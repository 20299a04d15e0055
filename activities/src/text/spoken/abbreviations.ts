import { anyOf, END, endsSentence, inSentence, isFeminineName, type Rule, START } from './common.ts';

/** Written forms without spaces, so that "z.B." finds what is listed as "z. B.". */
const compact = (written: string) => written.replace(/\s+/g, '');

/** A pattern for the abbreviations, each space optional. */
const written = (words: Record<string, string>) => anyOf(Object.keys(words)).replace(/ /g, String.raw`\s?`);

/** The words for an abbreviation, capitalised at the start of a sentence. */
const expander = (words: Record<string, string>) => {
  const said = new Map(Object.entries(words).map(([abbr, word]) => [compact(abbr), word]));
  return (abbr: string, before: string) => inSentence(said.get(compact(abbr)) ?? abbr, before);
};

/** Titles before a name: "Dr. Silva" is "doutor Silva"; without a name after them they stay. */
export function titles(words: Record<string, string>): Rule {
  const expand = expander(words);
  return {
    pattern: new RegExp(String.raw`${START}(?<abbr>${written(words)})(?=(?:\s+|-)\p{Lu})`, 'gu'),
    say: ({ abbr = '' }, _, __, before) => expand(abbr, before),
  };
}

/** Abbreviations before a number: "nº 5" is "número 5". */
export function numbered(words: Record<string, string>): Rule {
  const expand = expander(words);
  return {
    pattern: new RegExp(String.raw`${START}(?<abbr>${written(words)})\s?(?=\d)`, 'gu'),
    say: ({ abbr = '' }, _, __, before) => `${expand(abbr, before)} `,
  };
}

/**
 * Abbreviations anywhere. Those in `final` may end a sentence ("… etc. Depois"), and then keep the period
 * as the sentence's.
 */
export function abbreviations(words: Record<string, string>, final: readonly string[] = []): Rule {
  const expand = expander(words);
  const closing = new Set(final.map(compact));
  return {
    pattern: new RegExp(`${START}(?<abbr>${written(words)})${END}`, 'gu'),
    say: ({ abbr = '' }, _, rest, before) =>
      `${expand(abbr, before)}${closing.has(compact(abbr)) && endsSentence(rest) ? '.' : ''}`,
  };
}

/** "D." before a name, a man's or a woman's: "D. Pedro" is "dom Pedro", "D. Maria" is "dona Maria". */
export function honorific(man: string, woman: string): Rule {
  return {
    pattern: new RegExp(String.raw`${START}D\.(?=\s+(?<name>\p{Lu}\p{Ll}+))`, 'gu'),
    say: ({ name = '' }, _, __, before) => inSentence(isFeminineName(name) ? woman : man, before),
  };
}
