import { defaultPrices, estimateJob, jobAgentSchema } from '@bolt/core';
import { describe, expect, it } from 'vitest';

const agent = jobAgentSchema.parse({
  name: 'Estimate',
  language: 'pt-BR',
  premise_prompt: 'Premissa.',
  block_structure_prompt: '3 blocos de ~500 palavras: a, b, c',
  llm_provider: 'gemini',
  tts_provider: 'google',
});

describe('job estimate before starting', () => {
  it('counts one call for the premise, per master block, per rewritten and per adapted block', () => {
    const e = estimateJob(
      agent,
      { languages: ['pt-BR', 'en-US', 'es-ES'], variations: 2 },
      defaultPrices,
      'gemini-2.5-pro',
    );
    // 1 premise + 3 master + 3 for variation 2 + 2 variations × 2 adapted languages × 3 blocks, and the
    // block titles of each adapted language.
    expect(e.llmCalls).toBe(1 + 3 + 3 + 12 + 2);
    // 1,500 words per script, 3 languages × 2 variations.
    expect(e.ttsChars).toBe(1500 * 6 * 3 * 2);
    const speech = (e.ttsChars * 16) / 1e6;
    const text = (e.tokensIn * 1.25 + e.tokensOut * 10) / 1e6;
    expect(e.costUsd).toBeCloseTo(speech + text, 3);
  });

  it('costs nothing with the embedded engines', () => {
    const local = { ...agent, llm_provider: 'local' as const, tts_provider: 'espeak' as const };
    expect(estimateJob(local, { languages: ['pt-BR'], variations: 1 }, defaultPrices, 'local').costUsd).toBe(
      0,
    );
  });
});
