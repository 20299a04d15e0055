import { PassThrough } from 'node:stream';
import type { JobProgress } from '@bolt/core';
import { describe, expect, it } from 'vitest';
import { ProgressView } from '../../cli/src/progress.ts';

describe('bolt run’s progress lines', () => {
  it('says what a step waits for, once per kind of wait', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => {
      text += b.toString();
    });
    const view = new ProgressView(
      { variations: 1, languages: ['en-US'] },
      out as unknown as NodeJS.WriteStream,
    );
    const nextAt = new Date(Date.now() + 11_500).toISOString();
    const progress = (reason: 'pace' | 'day'): JobProgress => ({
      jobId: 'j',
      status: 'running',
      steps: [
        {
          id: 'premise',
          label: 'Premise',
          state: 'running',
          quota: { provider: 'gemini', key: '…1234', reason, nextAt },
        },
      ],
    });
    view.update(progress('pace'));
    view.update(progress('pace'));
    expect(text).toBe('… Premise — waiting for quota (Gemini key …1234, next slot in 12 s)\n');
    view.update(progress('day'));
    expect(text.split('\n')[1]).toBe(
      '… Premise — waiting for quota (Gemini key …1234: its requests for today are spent, next slot in 12 s)',
    );
  });
});
