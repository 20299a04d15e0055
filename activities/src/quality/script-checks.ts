import { type Check, type CheckedPart, worstVerdict } from '@bolt/core';
import { eld } from 'eld/small';
import { instructions } from '../prompts.ts';

/** Length within this share of the target passes; within twice of it, warns. */
const LENGTH_TOLERANCE = 0.35;
/** Lines under 4 words: a few are dialogue, most are word salad. */
const SHORT_LINE_WORDS = 4;
const SHORT_LINES_WARN = 0.3;
const SHORT_LINES_FAIL = 0.5;
/** The same 4 words again and again: a model stuck in a loop. */
const NGRAM = 4;
const REPEATS_FAIL = 4;
/** …and often for the text's length: a long text may say "for the first time" four times. */
const WORDS_PER_REPEAT_FAIL = 100;
const WORDS_PER_REPEAT_WARN = 200;
/** Runs of 6 words found in earlier blocks: a block that retells what the script already said. */
const ECHO_NGRAM = 6;
const ECHO_WARN = 0.2;
const ECHO_FAIL = 0.4;
/** Below this, language identification says little. */
const LANGUAGE_MIN_WORDS = 8;

const wordsOf = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];

/** The text's language against the one asked for (BCP-47; the primary subtag is compared). */
export function checkLanguage(text: string, language: string): Check {
  const wanted = language.split('-')[0]?.toLowerCase() ?? language;
  if (wordsOf(text).length < LANGUAGE_MIN_WORDS)
    return { name: 'language', verdict: 'pass', detail: 'too short to identify' };
  const result = eld.detect(text);
  if (!result.language) return { name: 'language', verdict: 'warn', detail: 'no language identified' };
  if (result.language === wanted)
    return { name: 'language', verdict: 'pass', detail: `${result.language}, as asked` };
  return {
    name: 'language',
    verdict: result.isReliable() ? 'fail' : 'warn',
    detail: `written in ${result.language}, not ${wanted}`,
  };
}

/** Words written against the words asked for. */
export function checkLength(text: string, targetWords: number): Check {
  const words = wordsOf(text).length;
  const off = Math.abs(words - targetWords) / targetWords;
  const verdict = off <= LENGTH_TOLERANCE ? 'pass' : off <= 2 * LENGTH_TOLERANCE ? 'warn' : 'fail';
  return { name: 'length', verdict, detail: `${words} of ${targetWords} words` };
}

/** Many lines of a word or three: a list of fragments, not narration. */
export function checkShortLines(text: string): Check {
  const lines = text.split('\n').filter((l) => l.trim());
  const short = lines.filter((l) => wordsOf(l).length < SHORT_LINE_WORDS).length;
  const share = lines.length ? short / lines.length : 0;
  const verdict = share > SHORT_LINES_FAIL ? 'fail' : share > SHORT_LINES_WARN ? 'warn' : 'pass';
  return {
    name: 'short-lines',
    verdict,
    detail: `${short} of ${lines.length} lines under ${SHORT_LINE_WORDS} words`,
  };
}

/** The phrase of four words repeated most, and how often. */
export function checkRepetition(text: string): Check {
  const words = wordsOf(text);
  const counts = new Map<string, number>();
  for (let i = 0; i + NGRAM <= words.length; i++) {
    const gram = words.slice(i, i + NGRAM).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  const [gram, times] = [...counts].reduce<[string, number]>((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  const often = (wordsPerRepeat: number) => times >= words.length / wordsPerRepeat;
  const verdict =
    times >= REPEATS_FAIL && often(WORDS_PER_REPEAT_FAIL)
      ? 'fail'
      : times >= REPEATS_FAIL - 1 && often(WORDS_PER_REPEAT_WARN)
        ? 'warn'
        : 'pass';
  return {
    name: 'repetition',
    verdict,
    detail: times > 1 ? `"${gram}" ${times} times` : 'no phrase repeated',
  };
}

const ngrams = (words: string[], n: number) =>
  Array.from({ length: Math.max(0, words.length - n + 1) }, (_, i) => words.slice(i, i + n).join(' '));

/** How much of a block retells the script's earlier blocks (a model copying its context). */
export function checkEchoes(text: string, earlier: string[]): Check {
  const seen = new Set(earlier.flatMap((block) => ngrams(wordsOf(block), ECHO_NGRAM)));
  const own = ngrams(wordsOf(text), ECHO_NGRAM);
  const share = own.length ? own.filter((gram) => seen.has(gram)).length / own.length : 0;
  const verdict = share > ECHO_FAIL ? 'fail' : share > ECHO_WARN ? 'warn' : 'pass';
  return { name: 'echoes', verdict, detail: `${Math.round(share * 100)} % of it retells earlier blocks` };
}

/** An instruction of ours that reached the text. */
export function checkInstructions(text: string): Check {
  const leaked = Object.values(instructions).filter((i) => text.toLowerCase().includes(i.toLowerCase()));
  return leaked.length
    ? { name: 'instructions', verdict: 'fail', detail: `contains "${leaked[0]}"` }
    : { name: 'instructions', verdict: 'pass', detail: 'none of our instructions' };
}

/**
 * The languages the embedded model writes. Measured on the example agents (bench/src/quality.ts): its
 * English is simple but readable; what it writes in Portuguese or Spanish is not words, even where the
 * language identifier agrees it is Portuguese.
 */
const EMBEDDED_MODEL_LANGUAGES = ['en'];

/** Whether the embedded model can write the language at all. */
export function checkEmbeddedModel(language: string): Check {
  const primary = language.split('-')[0]?.toLowerCase() ?? language;
  return EMBEDDED_MODEL_LANGUAGES.includes(primary)
    ? { name: 'model', verdict: 'pass', detail: `the embedded model writes ${language}` }
    : {
        name: 'model',
        verdict: 'fail',
        detail: `the embedded model cannot write ${language}: choose Gemini or OpenAI in the agent`,
      };
}

/**
 * Every check of one block of a script in `language`, asked to be about `targetWords` long, after the
 * `earlier` blocks of the same script; with `embeddedModel`, also whether that model can write the
 * language.
 */
export function checkBlock(
  text: string,
  language: string,
  targetWords: number,
  { embeddedModel = false, earlier = [] as string[] } = {},
): CheckedPart {
  const checks = [
    ...(embeddedModel ? [checkEmbeddedModel(language)] : []),
    checkLanguage(text, language),
    checkLength(text, targetWords),
    checkShortLines(text),
    checkRepetition(text),
    ...(earlier.length ? [checkEchoes(text, earlier)] : []),
    checkInstructions(text),
  ];
  return { verdict: worstVerdict(checks.map((c) => c.verdict)), checks };
}
