import { planBlocks } from '@bolt/core';
import { describe, expect, it } from 'vitest';

describe('planBlocks', () => {
  it('reads count, words and names from the seed style prompt', () => {
    expect(planBlocks('5 blocos de ~600 palavras: gancho, contexto, conflito, virada, resolução')).toEqual([
      { index: 0, title: 'Gancho', targetWords: 600 },
      { index: 1, title: 'Contexto', targetWords: 600 },
      { index: 2, title: 'Conflito', targetWords: 600 },
      { index: 3, title: 'Virada', targetWords: 600 },
      { index: 4, title: 'Resolução', targetWords: 600 },
    ]);
  });

  it('takes one block per list line', () => {
    const plan = planBlocks(
      'Structure (~200 words each):\n1. Hook - grab attention\n2. Context\n3. Ending: wrap up',
    );
    expect(plan.map((b) => b.title)).toEqual(['Hook', 'Context', 'Ending']);
    expect(plan.every((b) => b.targetWords === 200)).toBe(true);
  });

  it('names blocks by number when the prompt names none, and is deterministic', () => {
    const prompt = 'Escreva em 4 partes com cerca de 300 palavras cada.';
    expect(planBlocks(prompt).map((b) => b.title)).toEqual(['Block 1', 'Block 2', 'Block 3', 'Block 4']);
    expect(planBlocks(prompt)).toEqual(planBlocks(prompt));
  });

  it('falls back to five blocks of 300 words', () => {
    expect(planBlocks('Tell it well.')).toHaveLength(5);
    expect(planBlocks('Tell it well.')[0]?.targetWords).toBe(300);
  });
});
