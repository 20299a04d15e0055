import { applyPronunciation } from '@bolt/core';
import { describe, expect, it } from 'vitest';

describe('applyPronunciation', () => {
  it('replaces whole words in any case, longer entries first', () => {
    const dict = { Tejo: 'Téjo', 'Rio Tejo': 'Rio Téjo!', km: 'quilômetros' };
    expect(applyPronunciation('O rio tejo corre 5 km; o Tejo é longo. Tejolo e kms ficam.', dict)).toBe(
      'O Rio Téjo! corre 5 quilômetros; o Téjo é longo. Tejolo e kms ficam.',
    );
  });

  it('respects word boundaries in other scripts and escapes special characters', () => {
    expect(applyPronunciation('नदी और नदियाँ', { नदी: 'नदि' })).toBe('नदि और नदियाँ');
    expect(applyPronunciation('C++ e C', { 'C++': 'C mais mais' })).toBe('C mais mais e C');
  });

  it('leaves text alone with an empty dictionary', () => {
    expect(applyPronunciation('nada muda', {})).toBe('nada muda');
  });
});
