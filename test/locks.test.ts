import { connectDb, oneAtATime } from '@bolt/data';
import { afterAll, describe, expect, inject, it } from 'vitest';

// Two connection pools stand for two workers on one database.
describe('oneAtATime', () => {
  const first = connectDb(inject('databaseUrl'));
  const second = connectDb(inject('databaseUrl'));
  afterAll(async () => {
    await first.destroy();
    await second.destroy();
  });

  it('runs work of one name one at a time across processes, and other names meanwhile', async () => {
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    let overlapped = false;
    const work = (name: string, value: number) => async () => {
      running.set(name, (running.get(name) ?? 0) + 1);
      most.set(name, Math.max(most.get(name) ?? 0, running.get(name) ?? 0));
      if ([...running.values()].filter((n) => n > 0).length > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 300));
      running.set(name, (running.get(name) ?? 1) - 1);
      return value;
    };
    const results = await Promise.all([
      oneAtATime(first, 'lock-test-a', work('a', 1)),
      oneAtATime(second, 'lock-test-a', work('a', 2)),
      oneAtATime(second, 'lock-test-b', work('b', 3)),
    ]);
    expect(results).toEqual([1, 2, 3]);
    expect(most.get('a')).toBe(1);
    expect(overlapped).toBe(true);
  });

  it('lets the next one in when work fails', async () => {
    await expect(
      oneAtATime(first, 'lock-test-c', async () => {
        throw new Error('provider down');
      }),
    ).rejects.toThrow('provider down');
    expect(await oneAtATime(second, 'lock-test-c', async () => 'ok')).toBe('ok');
  });
});
