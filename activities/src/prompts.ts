import type { Agent, BlockPlan } from '@bolt/core';

/** How much of the previous blocks a block sees: their tail keeps the story continuous within the context. */
const CONTEXT_TAIL_CHARS = 1500;
/** The embedded model follows one short instruction at a time and loses the thread in a long prompt. */
const SMALL_MODEL_TAIL_CHARS = 400;
const isSmall = (agent: Agent) => agent.llm_provider === 'local';
/** Which part of the story to write, in words the embedded model knows (not the agent's block names). */
function smallModelStep(index: number, count: number): string {
  if (index === 0) return 'Write the opening of this story';
  if (index === count - 1) return 'Write the ending of this story';
  return 'Write what happens next in this story';
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
const languageName = (tag: string) => languageNames.of(tag) ?? tag;

const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Our fixed instructions, exported so a reply that echoes one can be cleaned of it (text/clean-reply.ts). */
export const instructions = {
  onlyTheText: 'Write only the requested text, with no preamble or notes.',
  cutOff: 'Your answer was cut off. It ends with:',
  continueExactly: 'Continue exactly where it stops, without repeating anything.',
  rules: 'Rules for this answer:',
  anotherTake: 'Write it anew, differently from this earlier version of it:',
} as const;

export function system(agent: Agent): string {
  return [agent.persona_and_global_rules_prompt.trim(), instructions.onlyTheText]
    .filter(Boolean)
    .join('\n\n');
}

export function premise(agent: Agent, title: string): string {
  return `${agent.premise_prompt.trim()}\n\nTitle: "${title}"\nLanguage: ${languageName(agent.language)}\n\nWrite the premise.`;
}

export function block(
  agent: Agent,
  title: string,
  premise: string,
  plan: BlockPlan[],
  index: number,
  before: string[],
): string {
  const current = plan[index];
  const language = languageName(agent.language);
  if (isSmall(agent)) {
    const tail = before.join('\n\n').slice(-SMALL_MODEL_TAIL_CHARS);
    return [
      `Title: "${title}"`,
      `Premise: ${premise.trim()}`,
      tail ? `The story so far ends with:\n${tail}` : '',
      tail ? 'Do not repeat it.' : '',
      `${smallModelStep(index, plan.length)} in ${language}: about ${current?.targetWords} words, in full sentences.`,
    ]
      .filter(Boolean)
      .join('\n\n');
  }
  const outline = plan.map((b) => `${b.index + 1}. ${b.title}`).join('\n');
  const tail = before.join('\n\n').slice(-CONTEXT_TAIL_CHARS);
  return [
    `Title: "${title}"`,
    `Premise: ${premise.trim()}`,
    `Structure:\n${outline}`,
    tail ? `The story so far ends with:\n${tail}` : '',
    `Write block ${index + 1} ("${current?.title}") in ${language}, about ${current?.targetWords} words, continuing the story.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

export function adaptation(agent: Agent, language: string, source: string): string {
  if (isSmall(agent)) return `Translate this text into ${languageName(language)}:\n\n${source.trim()}`;
  const culture = agent.cultural_configs[language]?.trim();
  return [
    agent.cultural_adaptation_prompt.trim(),
    culture ? `Cultural settings for ${language}: ${culture}` : '',
    `Rewrite the following text in ${languageName(language)} (${language}), adapting names and references for that audience, at about the same length (about ${wordCount(source)} words):`,
    source.trim(),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The script's block titles in another language: one per line, so the reply can be checked line by line. */
export function titles(language: string, titles: string[]): string {
  return [
    `Translate these ${titles.length} headings into ${languageName(language)} (${language}). Answer with exactly ${titles.length} lines, one heading per line, in the same order, and nothing else.`,
    titles.join('\n'),
  ].join('\n\n');
}

/** Variation n of a master block: the same story beats, told anew. */
export function variation(agent: Agent, n: number, source: string): string {
  if (isSmall(agent))
    return `Retell this text in other words, in ${languageName(agent.language)}:\n\n${source.trim()}`;
  return [
    `Rewrite the following text in ${languageName(agent.language)} as version ${n} of the same story: keep its events, facts and length (about ${wordCount(source)} words), but vary the wording, the sentence rhythm and the imagery.`,
    source.trim(),
  ].join('\n\n');
}

/** What each failed script check asks of a second attempt (quality/script-checks.ts names the checks). */
const repairRules: Record<string, (language: string, targetWords: number) => string> = {
  language: (language) =>
    `Write only in ${languageName(language)} (${language}), not a word of any other language.`,
  length: (_, targetWords) => `Write about ${targetWords} words.`,
  'short-lines': () => 'Write full paragraphs of complete sentences, not lists or lines of a few words.',
  repetition: () => 'Never repeat a phrase or a sentence.',
  echoes: () => 'Do not retell what the story already said: tell what happens next.',
  instructions: () => 'Write only the text itself, with no notes, labels or instructions.',
};

/** The same request again, with a rule for each check its first answer failed. */
export function stricter(prompt: string, language: string, targetWords: number, failed: string[]): string {
  const rules = failed.flatMap((name) => repairRules[name]?.(language, targetWords) ?? []);
  return [prompt, [instructions.rules, ...rules.map((r) => `- ${r}`)].join('\n')].join('\n\n');
}

/** A block asked for again: the same request, and the take the new one should differ from. */
export function anotherTake(prompt: string, current: string): string {
  return [prompt, `${instructions.anotherTake}\n${current.trim()}`].join('\n\n');
}

/** Asks the model to go on from where its previous answer was cut off by the output limit. */
export function continuation(prompt: string, soFar: string): string {
  return [
    prompt,
    `${instructions.cutOff}\n${soFar.slice(-CONTEXT_TAIL_CHARS)}`,
    instructions.continueExactly,
  ].join('\n\n');
}

/** Markdown to plain narration text: no headings marks, emphasis or links. */
export function speakable(markdown: string): string {
  return markdown
    .replace(/^#+\s*/gm, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`>]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
