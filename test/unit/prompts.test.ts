import { prompts } from '@bolt/activities';
import { type Agent, jobAgentSchema, planBlocks } from '@bolt/core';
import { describe, expect, it } from 'vitest';

const agent = (llm_provider: Agent['llm_provider']): Agent =>
  jobAgentSchema.parse({
    name: 'Prompts',
    language: 'pt-BR',
    premise_prompt: 'Escreva a premissa.',
    block_structure_prompt: '3 blocos de ~120 palavras: gancho, desenvolvimento, desfecho',
    cultural_adaptation_prompt: 'Adapte para o público de destino.',
    target_languages: ['en-US'],
    cultural_configs: { 'en-US': 'Público norte-americano.' },
    llm_provider,
    tts_provider: 'espeak',
  });
const plan = planBlocks(agent('local').block_structure_prompt);
const story = 'Era uma vez uma ponte. '.repeat(60);

describe('prompts', () => {
  it('give a cloud model the whole recipe: structure, block name, long context, cultural settings', () => {
    const cloud = agent('gemini');
    const block = prompts.block(cloud, 'A ponte', 'Uma ponte antiga.', plan, 1, [story]);
    expect(block).toContain('Structure:\n1. Gancho\n2. Desenvolvimento\n3. Desfecho');
    expect(block).toContain('Write block 2 ("Desenvolvimento") in Brazilian Portuguese, about 120 words');
    expect(block.length).toBeGreaterThan(1400);
    const adaptation = prompts.adaptation(cloud, 'en-US', story);
    expect(adaptation).toContain('Adapte para o público de destino.');
    expect(adaptation).toContain('Cultural settings for en-US: Público norte-americano.');
  });

  it('give the embedded model one short task at a time, in words it knows', () => {
    const small = agent('local');
    const opening = prompts.block(small, 'A ponte', 'Uma ponte antiga.', plan, 0, []);
    expect(opening).toBe(
      'Title: "A ponte"\n\nPremise: Uma ponte antiga.\n\nWrite the opening of this story in Brazilian Portuguese: about 120 words, in full sentences.',
    );
    const middle = prompts.block(small, 'A ponte', 'Uma ponte antiga.', plan, 1, [story]);
    expect(middle).not.toContain('Structure');
    expect(middle).toContain('Write what happens next in this story in Brazilian Portuguese');
    expect(middle.length).toBeLessThan(600);
    expect(prompts.block(small, 'A ponte', 'P.', plan, 2, [story, story])).toContain('Write the ending');
    expect(prompts.adaptation(small, 'en-US', 'Era uma vez.')).toBe(
      'Translate this text into American English:\n\nEra uma vez.',
    );
    expect(prompts.variation(small, 2, 'Era uma vez.')).toBe(
      'Retell this text in other words, in Brazilian Portuguese:\n\nEra uma vez.',
    );
  });
});
