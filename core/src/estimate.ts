import { z } from 'zod';
import { planBlocks } from './blocks.ts';
import type { Agent } from './domain.ts';
import { estimateCost, type PriceTable, ttsUsageName } from './prices.ts';

/** Rough sizes of text: tokens per word for the models, characters per word for speech. */
const TOKENS_PER_WORD = 1.35;
const CHARS_PER_WORD = 6;
const PREMISE_WORDS = 120;

export const jobEstimateSchema = z.object({
  llmCalls: z.number().int(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  ttsChars: z.number().int(),
  costUsd: z.number(),
});
export type JobEstimate = z.infer<typeof jobEstimateSchema>;

/**
 * What a job will probably use and cost, before it starts: one call for the premise, one per master
 * block, one per block of each further variation and of each adapted language, one for the block titles
 * of each adapted language, and speech for every
 * variation in every language, sized from the block plan's target words. An estimate, not a quote:
 * real replies are longer or shorter, and cached work costs nothing.
 */
export function estimateJob(
  agent: Agent,
  job: { languages: string[]; variations: number },
  prices: PriceTable,
  model: string,
): JobEstimate {
  const blocks = planBlocks(agent.block_structure_prompt);
  const scriptWords = blocks.reduce((n, b) => n + b.targetWords, 0);
  const promptTokens = (agent.persona_and_global_rules_prompt.length + agent.premise_prompt.length + 400) / 4;
  const adapted = job.languages.filter((l) => l !== agent.language).length;
  // Each master block sees the premise and the story so far (its tail, up to ~1,500 characters).
  const master = blocks.map((b) => ({ in: promptTokens + 500, out: b.targetWords * TOKENS_PER_WORD }));
  // A rewrite or an adaptation reads its source block and writes one of the same length.
  const rewrites = blocks.map((b) => ({
    in: promptTokens + b.targetWords * TOKENS_PER_WORD,
    out: b.targetWords * TOKENS_PER_WORD,
  }));
  // The block titles, translated once per adapted language: a line in, a line out, per block.
  const titles = { in: 60 + blocks.length * 8, out: blocks.length * 8 };
  const calls = [
    { in: promptTokens, out: PREMISE_WORDS * TOKENS_PER_WORD },
    ...master,
    ...Array.from({ length: job.variations - 1 + job.variations * adapted }, () => rewrites).flat(),
    ...Array.from({ length: adapted }, () => titles),
  ];
  const tokensIn = Math.round(calls.reduce((n, c) => n + c.in, 0));
  const tokensOut = Math.round(calls.reduce((n, c) => n + c.out, 0));
  const ttsChars = Math.round(scriptWords * CHARS_PER_WORD * job.languages.length * job.variations);
  const costUsd =
    estimateCost(prices, agent.llm_provider, model, { tokensIn, tokensOut }) +
    estimateCost(prices, ttsUsageName[agent.tts_provider], '', { chars: ttsChars });
  return { llmCalls: calls.length, tokensIn, tokensOut, ttsChars, costUsd: Number(costUsd.toFixed(4)) };
}
