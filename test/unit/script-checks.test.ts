import {
  checkBlock,
  checkEchoes,
  checkEmbeddedModel,
  checkLanguage,
  checkLength,
  checkRepetition,
  checkShortLines,
} from '@bolt/activities';
import { describe, expect, it } from 'vitest';

const portuguese =
  'Naquela noite, a velha ponte de Alcântara rangeu como nunca. O barqueiro olhou para o rio, que subia depressa, e chamou os vizinhos. Ninguém acreditou nele até que as primeiras pedras caíram na água escura.';
const english =
  'That night, the old bridge at Alcântara creaked as never before. The ferryman looked at the river, which was rising fast, and called his neighbours. Nobody believed him until the first stones fell into the dark water.';
const spanish =
  'Aquella noche, el viejo puente de Alcántara crujió como nunca. El barquero miró el río, que subía deprisa, y llamó a los vecinos. Nadie le creyó hasta que las primeras piedras cayeron al agua oscura.';

describe('checks of a script block', () => {
  it('pass a text in the language asked for, and fail one left in another', () => {
    expect(checkLanguage(portuguese, 'pt-BR').verdict).toBe('pass');
    expect(checkLanguage(english, 'en-US').verdict).toBe('pass');
    expect(checkLanguage(spanish, 'es-ES').verdict).toBe('pass');
    // An "adaptation" into English that is still Portuguese.
    expect(checkLanguage(portuguese, 'en-US')).toMatchObject({
      verdict: 'fail',
      detail: 'written in pt, not en',
    });
    expect(checkLanguage(spanish, 'pt-BR').verdict).not.toBe('pass');
  });

  it('judge length against the target, within 35 %', () => {
    expect(checkLength(english, 40).verdict).toBe('pass');
    expect(checkLength(english, 60).verdict).toBe('warn');
    expect(checkLength(english, 300)).toMatchObject({ verdict: 'fail', detail: '37 of 300 words' });
  });

  it('fail word salad: lines of a word or two', () => {
    const salad = 'O barqueiro.\nRio.\nNoite ponte.\nA água\nsubia.\nVizinhos chamou.\nPedras.';
    expect(checkShortLines(salad).verdict).toBe('fail');
    expect(checkShortLines(`${portuguese}\n${english}`).verdict).toBe('pass');
  });

  it('fail a model stuck repeating itself', () => {
    const loop = Array.from({ length: 5 }, () => 'and then the river rose again').join(', ');
    expect(checkRepetition(loop)).toMatchObject({ verdict: 'fail' });
    expect(checkRepetition(portuguese).verdict).toBe('pass');
  });

  it('give a block the worst verdict of its checks, and catch a leaked instruction', () => {
    expect(checkBlock(english, 'en-US', 40).verdict).toBe('pass');
    const leaked = checkBlock(
      `${english} Continue exactly where it stops, without repeating anything.`,
      'en-US',
      40,
    );
    expect(leaked.verdict).toBe('fail');
    expect(leaked.checks.find((c) => c.name === 'instructions')?.verdict).toBe('fail');
  });

  it("fail the embedded model's blocks in languages it cannot write, with what to do instead", () => {
    expect(checkEmbeddedModel('en-GB').verdict).toBe('pass');
    expect(checkEmbeddedModel('pt-BR')).toEqual({
      name: 'model',
      verdict: 'fail',
      detail: 'the embedded model cannot write pt-BR: choose Gemini or OpenAI in the agent',
    });
    // Only for the embedded model's text: the same Portuguese block from another model passes.
    expect(checkBlock(portuguese, 'pt-BR', 35, { embeddedModel: true }).verdict).toBe('fail');
    expect(checkBlock(portuguese, 'pt-BR', 35).verdict).toBe('pass');
    expect(checkBlock(english, 'en-US', 38, { embeddedModel: true }).verdict).toBe('pass');
  });

  it('fail a block that retells the earlier ones, as a small model copying its context does', () => {
    // Blocks 1 and 2 of an embedded model's script, as it wrote them.
    const first =
      'In a land torn apart by chaos, I was consumed by a thirst for wealth and power. My team led by me had it all. This is not just another story about a disaster; it is a testament to the power of destiny and fate.';
    const second =
      'In a land torn apart by chaos, I was consumed by a thirst for wealth and power. My team led me to the edge of chaos. This is not just another story about a disaster; it is a testament to the power of fate.';
    expect(checkEchoes(second, [first])).toMatchObject({ name: 'echoes', verdict: 'fail' });
    expect(checkEchoes(english, [portuguese, spanish])).toEqual({
      name: 'echoes',
      verdict: 'pass',
      detail: '0 % of it retells earlier blocks',
    });
    expect(checkBlock(second, 'en-US', 40, { earlier: [first] }).verdict).toBe('fail');
    // The first block has nothing before it to retell.
    expect(checkBlock(first, 'en-US', 40).checks.map((c) => c.name)).not.toContain('echoes');
  });
});
