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
    const progress = (reason: 'pace' | 'day' | 'rest', key = '…1234', next = nextAt): JobProgress => ({
      jobId: 'j',
      status: 'running',
      steps: [
        {
          id: 'premise',
          label: 'Premise',
          state: 'running',
          quota: { provider: 'gemini', key, reason, nextAt: next },
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
    // Past an hour the slot is said as its time, through core's quotaWaitText like the web's timeline.
    const later = new Date(Date.now() + 3 * 3_600_000).toISOString();
    view.update(progress('rest', 'server', later));
    expect(text.split('\n')[2]).toBe(
      `… Premise — waiting for quota (Gemini server key: the provider asked to wait, next slot at ${later})`,
    );
  });
});
