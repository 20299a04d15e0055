import { nextQuotaDay, quotaDayStart } from '@bolt/core';
import { describe, expect, it } from 'vitest';

const at = (iso: string) => Date.parse(iso);
const day = (iso: string) => ({
  start: new Date(quotaDayStart(at(iso))).toISOString(),
  next: new Date(nextQuotaDay(at(iso))).toISOString(),
});

describe('quota days (midnight to midnight, Pacific time)', () => {
  it('are 23 and 25 hours long on the days the clocks change, whatever order they are asked in', () => {
    // Clocks spring forward on 8 March 2026: midnight is 08:00 UTC, the next one 07:00 UTC.
    const spring = { start: '2026-03-08T08:00:00.000Z', next: '2026-03-09T07:00:00.000Z' };
    // And fall back on 1 November 2026: midnight is 07:00 UTC, the next one 08:00 UTC.
    const autumn = { start: '2026-11-01T07:00:00.000Z', next: '2026-11-02T08:00:00.000Z' };
    expect(day('2026-03-08T12:00:00Z')).toEqual(spring);
    expect(day('2026-03-09T06:59:59.999Z')).toEqual(spring);
    expect(day('2026-03-09T07:00:00Z')).toEqual({ start: spring.next, next: '2026-03-10T07:00:00.000Z' });
    expect(day('2026-03-08T08:00:00Z')).toEqual(spring);
    expect(day('2026-03-08T07:59:59.999Z')).toEqual({
      start: '2026-03-07T08:00:00.000Z',
      next: spring.start,
    });
    expect(day('2026-11-02T07:30:00Z')).toEqual(autumn);
    expect(day('2026-11-01T07:00:00Z')).toEqual(autumn);
    expect(day('2026-11-02T08:00:00Z')).toEqual({ start: autumn.next, next: '2026-11-03T08:00:00.000Z' });
    expect(day('2026-11-01T20:00:00Z')).toEqual(autumn);
  });
});
