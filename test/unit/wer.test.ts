import { normaliseForWer, wordErrorRate } from '@bolt/activities';
import { describe, expect, it } from 'vitest';

const reference = 'The ferryman crossed the river before dawn';

describe('word error rate', () => {
  it('is 0 for the same words', () => {
    expect(wordErrorRate(reference, reference)).toBe(0);
  });

  it('counts a substituted word against the reference length', () => {
    expect(wordErrorRate(reference, 'The ferryman crossed the bridge before dawn')).toBeCloseTo(1 / 7);
  });

  it('counts deleted words', () => {
    expect(wordErrorRate(reference, 'The ferryman crossed before dawn')).toBeCloseTo(2 / 7);
    expect(wordErrorRate(reference, '')).toBe(1);
  });

  it('counts inserted words, past 1 when the hypothesis is longer than the reference', () => {
    expect(wordErrorRate(reference, 'The old ferryman crossed the river before dawn')).toBeCloseTo(1 / 7);
    expect(wordErrorRate('yes', 'yes yes yes')).toBe(2);
  });

  it('ignores case and punctuation', () => {
    expect(wordErrorRate('“Even so,” the mayor said — quietly.', 'even so the Mayor said quietly')).toBe(0);
    expect(wordErrorRate('well-known', 'well known')).toBe(0);
  });

  it('keeps accents, so a missing one is an error', () => {
    expect(wordErrorRate('Ninguém acreditou nele', 'ninguém acreditou nele')).toBe(0);
    expect(wordErrorRate('Ninguém acreditou nele', 'ninguem acreditou nele')).toBeCloseTo(1 / 3);
    // Composed and decomposed accents are the same letter.
    expect(wordErrorRate('café', 'cafe\u0301')).toBe(0);
  });

  it('handles an empty reference', () => {
    expect(wordErrorRate('', '')).toBe(0);
    expect(wordErrorRate(' … ', '')).toBe(0);
    expect(wordErrorRate('', 'noise')).toBe(1);
  });
});

describe('normalising for word error rate', () => {
  it('keeps letters, digits and apostrophes inside words', () => {
    expect(normaliseForWer("  Don’t   say 'no' — it's 1755, L'eau!  ")).toBe("don't say no it's 1755 l'eau");
  });

  it('keeps letters of every script, with their marks', () => {
    expect(normaliseForWer('Привет, мир! नमस्ते दुनिया।')).toBe('привет мир नमस्ते दुनिया');
  });
});
