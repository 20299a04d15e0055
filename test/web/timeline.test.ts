import { describe, expect, it } from 'vitest';
import {
  dispositionFileName,
  formatClock,
  formatDuration,
  formatUsd,
  parseTitles,
  splitScript,
} from '../../web/src/lib/format.ts';
import { sseParser } from '../../web/src/lib/sse.ts';
import {
  combinedState,
  groupKey,
  groupSteps,
  groupTitle,
  stepDurationMs,
  usageByStepId,
} from '../../web/src/lib/timeline.ts';
import type { Step } from '../../web/src/lib/types.ts';

const step = (id: string, state: Step['state'], extra: Partial<Step> = {}): Step => ({
  id,
  label: id,
  state,
  ...extra,
});

describe('timeline grouping', () => {
  it('groups by the id before the last dot, keeping the workflow order; ids without a dot are the job', () => {
    const groups = groupSteps([
      step('start', 'completed'),
      step('premise', 'completed'),
      step('master.block-1', 'completed'),
      step('master.block-2', 'running'),
      step('en-US.block-1', 'pending'),
      step('en-US.tts-3', 'pending'),
      step('pt-BR.audio', 'pending'),
      step('finish', 'pending'),
    ]);
    expect(groups.map((g) => [g.key, g.steps.map((s) => s.id)])).toEqual([
      ['job', ['start', 'premise', 'finish']],
      ['master', ['master.block-1', 'master.block-2']],
      ['en-US', ['en-US.block-1', 'en-US.tts-3']],
      ['pt-BR', ['pt-BR.audio']],
    ]);
    expect(groups.map((g) => g.state)).toEqual(['running', 'running', 'pending', 'pending']);
    expect(groups[1]?.counts).toEqual({
      pending: 0,
      running: 1,
      completed: 1,
      failed: 0,
      cancelled: 0,
      skipped: 0,
    });
  });

  it('orders groups: the job, then each variation in turn with its languages in the job order', () => {
    const groups = groupSteps(
      [
        step('v2.es-ES.tts-1', 'running'),
        step('v2.block-1', 'completed'),
        step('v1.es-ES.tts-1', 'completed'),
        step('v1.pt-BR.tts-1', 'completed'),
        step('master.block-1', 'completed'),
        step('v2.pt-BR.tts-1', 'running'),
        step('start', 'completed'),
        step('finish', 'pending'),
      ],
      'en',
      ['pt-BR', 'es-ES'],
    );
    expect(groups.map((g) => g.key)).toEqual([
      'job',
      'master',
      'v1.pt-BR',
      'v1.es-ES',
      'v2',
      'v2.pt-BR',
      'v2.es-ES',
    ]);
  });

  it('puts an edit round right after its narration, named as an edit', () => {
    const groups = groupSteps(
      [
        step('v1.en-US.edit-t4x2k1-0.tts-1', 'completed'),
        step('v1.pt-BR.tts-1', 'completed'),
        step('v1.en-US.tts-1', 'completed'),
        step('v2.block-1', 'completed'),
      ],
      'en',
      ['pt-BR', 'en-US'],
    );
    expect(groups.map((g) => g.key)).toEqual(['v1.pt-BR', 'v1.en-US', 'v1.en-US.edit-t4x2k1-0', 'v2']);
    expect(groups[2]?.title).toMatch(/^Variation 1 \/ .* · en-US \/ Edit$/);
  });

  it('handles deeper and unknown ids (variations, child workflows) the same way', () => {
    expect(groupKey('v2.en-US.tts-1')).toBe('v2.en-US');
    expect(groupKey('something-new')).toBe('job');
    expect(groupKey('.odd')).toBe('job');
    expect(groupTitle('v2.en-US')).toMatch(/^Variation 2 \/ \S.* · en-US$/);
    expect(groupTitle('master')).toBe('Master script');
    expect(groupTitle('v2.pt-BR', 'pt-BR')).toMatch(/^Variação 2 \/ \S.* · pt-BR$/);
    expect(groupTitle('weird_prefix')).toBe('weird_prefix');
  });

  it('combines states: failed beats running beats pending; completed only when all are', () => {
    expect(combinedState([step('a', 'completed'), step('b', 'failed'), step('c', 'running')])).toBe('failed');
    expect(combinedState([step('a', 'completed'), step('b', 'completed')])).toBe('completed');
    expect(combinedState([step('a', 'completed'), step('b', 'pending')])).toBe('running');
    expect(combinedState([step('a', 'pending')])).toBe('pending');
    expect(combinedState([])).toBe('pending');
  });

  it('shows a stopped group as stopped: cancelled or skipped, never running, with its time frozen', () => {
    const cancelled = [
      step('v1.a', 'completed', { startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:00:02Z' }),
      step('v1.b', 'cancelled', { startedAt: '2025-01-01T00:00:01Z', finishedAt: '2025-01-01T00:00:04Z' }),
      step('v1.c', 'skipped'),
    ];
    expect(combinedState(cancelled)).toBe('cancelled');
    expect(groupSteps(cancelled)[0]?.finishedAt).toBe('2025-01-01T00:00:04Z');
    expect(combinedState([step('a', 'completed'), step('b', 'skipped')])).toBe('cancelled');
    expect(combinedState([step('a', 'skipped'), step('b', 'skipped')])).toBe('skipped');
    expect(combinedState([step('a', 'cancelled'), step('b', 'failed')])).toBe('failed');
  });

  it('spans group times over its steps and keeps no end while unfinished', () => {
    const [done] = groupSteps([
      step('x.a', 'completed', { startedAt: '2025-01-01T00:00:02Z', finishedAt: '2025-01-01T00:00:05Z' }),
      step('x.b', 'completed', { startedAt: '2025-01-01T00:00:01Z', finishedAt: '2025-01-01T00:00:09Z' }),
    ]);
    expect(done?.startedAt).toBe('2025-01-01T00:00:01Z');
    expect(done?.finishedAt).toBe('2025-01-01T00:00:09Z');
    const [open] = groupSteps([
      step('x.a', 'completed', { startedAt: '2025-01-01T00:00:02Z', finishedAt: '2025-01-01T00:00:05Z' }),
      step('x.b', 'running', { startedAt: '2025-01-01T00:00:03Z' }),
    ]);
    expect(open?.finishedAt).toBeUndefined();
  });

  it('measures durations', () => {
    const now = Date.parse('2025-01-01T00:01:00Z');
    expect(stepDurationMs({ startedAt: '2025-01-01T00:00:00Z' }, now)).toBe(60_000);
    expect(
      stepDurationMs({ startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:00:01.5Z' }, now),
    ).toBe(1500);
    expect(stepDurationMs({}, now)).toBeUndefined();
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    // From a minute on, the players' clock: the same length reads the same next to a player.
    expect(formatDuration(245_900)).toBe('4:05');
    expect(formatDuration(245_900)).toBe(formatClock(245.9));
    expect(formatDuration(3_729_000)).toBe('1:02:09');
  });
});

describe('helpers', () => {
  it('parses an event stream fed in arbitrary pieces', () => {
    const parse = sseParser();
    const text =
      'retry: 2000\n\n: comment\nevent: progress\nid: 3\ndata: {"a":1}\n\nevent: end\r\nid: 4\r\ndata: x\r\ndata: y\r\n\r\n';
    const events = [];
    for (let i = 0; i < text.length; i += 7) events.push(...parse(text.slice(i, i + 7)));
    expect(events).toEqual([
      { event: 'progress', id: '3', data: '{"a":1}' },
      { event: 'end', id: '4', data: 'x\ny' },
    ]);
  });

  it('reads download names and splits titles one per line', () => {
    expect(dispositionFileName('attachment; filename="bolt-1.zip"')).toBe('bolt-1.zip');
    expect(dispositionFileName("attachment; filename*=UTF-8''Hist%C3%B3rias.json")).toBe('Histórias.json');
    expect(dispositionFileName(null)).toBeUndefined();
    expect(parseTitles(' A \n\nB\nA\n  ')).toEqual(['A', 'B']);
  });

  it('splits a script into its blocks and sums usage per step', () => {
    expect(splitScript('# A ponte\n\n## Gancho\n\nEra uma vez.\nFim.\n\n## Desfecho\n\nAcabou.\n')).toEqual({
      title: 'A ponte',
      blocks: [
        { heading: 'Gancho', text: 'Era uma vez.\nFim.' },
        { heading: 'Desfecho', text: 'Acabou.' },
      ],
    });
    expect(splitScript('no headings')).toEqual({ title: '', blocks: [] });
    const row = {
      tokens_in: 10,
      tokens_out: 5,
      chars: null,
      cost_usd: 0.001,
      paid_calls: 1,
      cached_calls: 0,
    };
    expect(
      usageByStepId([
        { step: 'premise', ...row },
        { step: 'premise', ...row, paid_calls: 0, cached_calls: 1 },
        {
          step: 'en-US.tts-1',
          tokens_in: null,
          tokens_out: null,
          chars: 300,
          cost_usd: null,
          paid_calls: 1,
          cached_calls: 0,
        },
      ]),
    ).toEqual({
      premise: { tokens: 30, chars: 0, costUsd: 0.002, paid: 1, cached: 1 },
      'en-US.tts-1': { tokens: 0, chars: 300, costUsd: 0, paid: 1, cached: 0 },
    });
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(1.5, 'pt-BR').replace(/\s/g, ' ')).toBe('US$ 1,50');
    expect(formatUsd(0.0123)).toBe('$0.012');
    expect(formatUsd(1.5)).toBe('$1.50');
  });
});
