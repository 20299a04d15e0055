import { randomBytes } from 'node:crypto';
import { keyRing } from '@bolt/activities';
import { connectDb, type Db, ensureLocalUser, migrate } from '@bolt/data';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

describe('key ring (PostgreSQL)', () => {
  let db: Db;
  let ownerId: string;

  beforeAll(async () => {
    db = connectDb(inject('databaseUrl'));
    await migrate(db);
    ownerId = await ensureLocalUser(db);
  });
  afterAll(() => db.destroy());

  it('keeps at most the configured number of requests in flight per provider, and runs them all', async () => {
    const keys = keyRing({
      db,
      credentialsKey: randomBytes(32),
      serverKeys: { 'google-tts': 'server-key', gemini: 'server-key' },
      requestsPerMinute: { 'google-tts': 600_000, gemini: 600_000 },
      concurrency: { 'google-tts': 2, gemini: 3 },
    });
    const inFlight = { 'google-tts': 0, gemini: 0 };
    const most = { 'google-tts': 0, gemini: 0 };
    const request = (provider: 'google-tts' | 'gemini', n: number) =>
      keys.call(ownerId, provider, `model-${n % 2}`, async (secret) => {
        most[provider] = Math.max(most[provider], ++inFlight[provider]);
        await new Promise((r) => setTimeout(r, 40));
        inFlight[provider]--;
        return `${provider} ${n} with ${secret}`;
      });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, n) => [request('google-tts', n), request('gemini', n)]).flat(),
    );
    expect(answers).toHaveLength(16);
    expect(new Set(answers).size).toBe(16);
    // Each provider filled its own slots; neither borrowed the other's.
    expect(most).toEqual({ 'google-tts': 2, gemini: 3 });
  });
});
