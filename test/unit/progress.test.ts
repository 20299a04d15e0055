import { jobPercent, type Step, type StepState } from '@bolt/core';
import { describe, expect, it } from 'vitest';

const steps = (list: Array<[string, StepState]>): Step[] =>
  list.map(([id, state]) => ({ id, label: id, state }));
const shape = { variations: 1, languages: ['pt-BR', 'en-US'] };

describe('jobPercent', () => {
  it('does not drop when the block plan declares the rest of the job', () => {
    const beforePlan = steps([
      ['start', 'completed'],
      ['premise', 'completed'],
      ['plan', 'running'],
    ]);
    const afterPlan = steps([
      ['start', 'completed'],
      ['premise', 'completed'],
      ['plan', 'completed'],
      ['master.block-1', 'pending'],
      ['master.block-2', 'pending'],
      ['master.review', 'pending'],
      ['v1.pt-BR', 'pending'],
      ['v1.en-US', 'pending'],
      ['finish', 'pending'],
    ]);
    expect(jobPercent(afterPlan, shape)).toBeGreaterThan(jobPercent(beforePlan, shape));
  });

  it('does not drop when a narration declares its speech', () => {
    const head = steps([
      ['start', 'completed'],
      ['premise', 'completed'],
      ['plan', 'completed'],
      ['master.block-1', 'completed'],
      ['master.review', 'completed'],
      ['v1.pt-BR', 'running'],
      ['v1.en-US', 'running'],
    ]);
    const planned = [...head, ...steps([['v1.pt-BR.script', 'completed']])];
    const speaking = [
      ...planned,
      ...steps([
        ['v1.pt-BR.tts-1', 'running'],
        ['v1.pt-BR.tts-2', 'pending'],
        ['v1.pt-BR.tts-3', 'pending'],
      ]),
    ];
    const spoken = speaking.map((s) => (s.id.includes('tts-1') ? { ...s, state: 'completed' as const } : s));
    const before = jobPercent([...head, ...steps([['v1.pt-BR.script', 'running']])], shape);
    const sequence = [
      before,
      jobPercent(planned, shape),
      jobPercent(speaking, shape),
      jobPercent(spoken, shape),
    ];
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(sequence[3]).toBeGreaterThan(sequence[2] ?? 0);
  });

  it('counts a narration done once its job step completed, even without its own steps', () => {
    const done = steps([
      ['start', 'completed'],
      ['premise', 'completed'],
      ['plan', 'completed'],
      ['master.block-1', 'completed'],
      ['v1.pt-BR', 'completed'],
      ['v1.en-US', 'completed'],
      ['finish', 'pending'],
    ]);
    expect(jobPercent(done, shape)).toBeGreaterThanOrEqual(90);
    expect(jobPercent(done, shape)).toBeLessThan(100);
    expect(jobPercent(done, shape, 'completed')).toBe(100);
    expect(jobPercent([], shape)).toBe(0);
  });

  it('reads jobs from before variations, whose narrations are named by their language', () => {
    const old = steps([
      ['start', 'completed'],
      ['en-US.tts-1', 'completed'],
      ['en-US.tts-2', 'pending'],
    ]);
    const none = steps([['start', 'completed']]);
    expect(jobPercent(old, shape)).toBeGreaterThan(jobPercent(none, shape));
  });
});
