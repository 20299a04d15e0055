import { randomBytes, randomUUID } from 'node:crypto';
import { type KeyRing, KeysResting, keyRing, ProviderError } from '@bolt/activities';
import { type CredentialProvider, failureTypes, nextQuotaDay, type QuotaLimits } from '@bolt/core';
import { connectDb, createCredential, createUser, type Db, ensureLocalUser, migrate } from '@bolt/data';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

describe('key ring and quota queue (PostgreSQL)', () => {
  let db: Db;
  let ownerId: string;
  const credentialsKey = randomBytes(32);

  beforeAll(async () => {
    db = connectDb(inject('databaseUrl'));
    await migrate(db);
    ownerId = await ensureLocalUser(db);
  });
  afterAll(() => db.destroy());

  /** A ring whose server key for `provider` is new, so no other test's pace touches it. */
  const ring = (provider: CredentialProvider, limits: QuotaLimits, concurrency = 16): KeyRing =>
    keyRing({
      db,
      credentialsKey,
      serverKeys: { [provider]: `server-${randomUUID()}` },
      limits: { [provider]: limits },
      concurrency: { [provider]: concurrency },
    });
  const newUser = async () => {
    const user = await createUser(db, `quota-${randomUUID()}@example.com`, 'x');
    if (!user) throw new Error('no user');
    return user.id;
  };
  /** A new user with one key per label; each secret reads `valid-<label>-…`, so a call can tell which key it got. */
  const userWithKeys = async (provider: CredentialProvider, labels: string[], limits?: QuotaLimits) => {
    const userId = await newUser();
    for (const label of labels)
      await createCredential(db, credentialsKey, {
        userId,
        provider,
        label,
        secret: `valid-${label}-${randomUUID()}`,
        limits,
      });
    return userId;
  };
  // Server keys are named by provider; each test clears that key's pace so it starts idle.
  const idle = async (provider: CredentialProvider) => {
    await db('key_quotas')
      .where({ key_id: `server-${provider}` })
      .delete();
    await db('key_rests')
      .where({ key_id: `server-${provider}` })
      .delete();
    await db('quota_turns').where('pool', 'like', `${provider}:%`).delete();
  };

  it('keeps at most the configured number of requests in flight per provider, and runs them all', async () => {
    await idle('google-tts');
    await idle('gemini');
    const keys = keyRing({
      db,
      credentialsKey,
      serverKeys: { 'google-tts': 'server-key', gemini: 'server-key' },
      limits: { 'google-tts': { rpm: 600_000 }, gemini: { rpm: 600_000 } },
      concurrency: { 'google-tts': 2, gemini: 3 },
    });
    const inFlight = { 'google-tts': 0, gemini: 0 };
    const most = { 'google-tts': 0, gemini: 0 };
    const request = (provider: 'google-tts' | 'gemini', n: number) =>
      keys.call(
        { userId: ownerId, priority: 0, provider, model: `model-${n % 2}`, need: {} },
        async (secret) => {
          most[provider] = Math.max(most[provider], ++inFlight[provider]);
          await new Promise((r) => setTimeout(r, 40));
          inFlight[provider]--;
          return `${provider} ${n} with ${secret}`;
        },
      );
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, n) => [request('google-tts', n), request('gemini', n)]).flat(),
    );
    expect(answers).toHaveLength(16);
    expect(new Set(answers).size).toBe(16);
    // Each provider filled its own slots; neither borrowed the other's.
    expect(most).toEqual({ 'google-tts': 2, gemini: 3 });
  });

  it('spaces a key’s requests by its requests per minute, and by its characters per minute', async () => {
    await idle('openai');
    const keys = ring('openai', { rpm: 600, cpm: 60_000 });
    const sent: number[] = [];
    const call = (chars: number) =>
      keys.call(
        { userId: ownerId, priority: 0, provider: 'openai', model: 'tts-1', need: { chars } },
        async () => sent.push(performance.now()),
      );
    await Promise.all([call(10), call(10), call(10), call(10)]);
    // 600 a minute: one every 100 ms (and 2 % more, as arrivals jitter).
    const gaps = sent.slice(1).map((t, i) => t - (sent[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(95);
    // 60,000 characters a minute: 500 characters hold the key for half a second, whatever the rpm.
    const before = performance.now();
    await call(500);
    await call(10);
    expect(performance.now() - before).toBeGreaterThanOrEqual(480);
  });

  it('serves interactive work first, then users by turns, then each user’s jobs by turns', async () => {
    await idle('gemini');
    // One request every 510 ms: wider than the 200 ms for which slots are handed out ahead, so the
    // order below is the queue's, not who came first.
    const keys = ring('gemini', { rpm: 120 });
    const [batchUser, otherUser] = [await newUser(), await newUser()];
    const order: string[] = [];
    const call = (label: string, userId: string, jobId: string, priority: number) =>
      keys.call(
        { userId, jobId, priority, provider: 'gemini', model: 'm', need: {}, step: label },
        async () => order.push(label),
      );
    // A batch of two jobs with six requests each queues first; a second user's batch job joins it,
    // then a single (interactive) job of that second user.
    const [jobA, jobB, jobC, jobD] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const calls = [
      ...Array.from({ length: 6 }, (_, i) => call(`A${i}`, batchUser, jobA, 1)),
      ...Array.from({ length: 6 }, (_, i) => call(`B${i}`, batchUser, jobB, 1)),
    ];
    await new Promise((r) => setTimeout(r, 30));
    calls.push(...Array.from({ length: 3 }, (_, i) => call(`C${i}`, otherUser, jobC, 1)));
    await new Promise((r) => setTimeout(r, 30));
    calls.push(...Array.from({ length: 2 }, (_, i) => call(`D${i}`, otherUser, jobD, 0)));
    await Promise.all(calls);
    expect(order).toHaveLength(17);
    // The first request found the queue empty and went at once; the interactive job went next, though
    // it came last.
    expect(order[0]).toMatch(/^[AB]/);
    const d = order.map((l, i) => (l.startsWith('D') ? i : -1)).filter((i) => i >= 0);
    expect(d).toEqual([1, 2]);
    // Then the two users took turns: the second user's batch job every other request.
    const rest = order.slice((d[1] as number) + 1);
    const c = rest.map((l, i) => (l.startsWith('C') ? i : -1)).filter((i) => i >= 0);
    expect(c).toHaveLength(3);
    expect(c.slice(1).map((i, k) => i - (c[k] as number))).toEqual([2, 2]);
    expect(c[0]).toBeLessThanOrEqual(1);
    // And the first user's two jobs took turns, until one of them had nothing left.
    const jobs = rest.filter((l) => !l.startsWith('C')).map((l) => l[0]);
    const both = Math.min(jobs.lastIndexOf('A'), jobs.lastIndexOf('B'));
    for (let i = 0; i < both; i++) expect(jobs[i], jobs.join('')).not.toBe(jobs[i + 1]);
  });

  it('uses the next key when one’s day is spent, and past them all says until when it must wait', async () => {
    const userId = await userWithKeys('gemini', ['first', 'second'], { rpm: 6000, rpd: 2 });
    const keys = ring('gemini', {});
    const used: string[] = [];
    const call = (waitUntil?: number) =>
      keys.call(
        { userId, priority: 0, provider: 'gemini', model: 'm', need: {}, waitUntil },
        async (secret) => used.push(secret.split('-')[1] as string),
      );
    for (let i = 0; i < 4; i++) await call(Date.now() + 60_000);
    expect(used.toSorted()).toEqual(['first', 'first', 'second', 'second']);
    const refused = await call(Date.now() + 60_000).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    const failure = refused as ApplicationFailure;
    expect(failure.type).toBe(failureTypes.QuotaWait);
    expect(failure.nonRetryable).toBe(true);
    const [wait] = failure.details as [{ reason: string; nextAt: string; key: string }];
    expect(wait.reason).toBe('day');
    expect(Date.parse(wait.nextAt)).toBe(nextQuotaDay(Date.now()));
    expect(wait.key).toMatch(/^…/);
  });

  it('rests a key the provider throttled and carries on with the next one', async () => {
    const userId = await userWithKeys('google-tts', ['first', 'second']);
    const keys = ring('google-tts', { rpm: 6000 });
    const tried: string[] = [];
    const answer = await keys.call(
      { userId, priority: 0, provider: 'google-tts', model: 'voice', need: { chars: 10 } },
      async (secret) => {
        const label = secret.split('-')[1] as string;
        tried.push(label);
        if (label === 'first')
          throw new ProviderError({
            kind: 'rate-limited',
            provider: 'google-tts',
            message: '429',
            retryAfterMs: 60_000,
          });
        return label;
      },
    );
    expect(answer).toBe('second');
    expect(tried).toEqual(['first', 'second']);
    // The first key still rests: the next request goes straight to the second.
    tried.length = 0;
    await keys.call(
      { userId, priority: 0, provider: 'google-tts', model: 'voice', need: { chars: 10 } },
      async (s) => tried.push(s.split('-')[1] as string),
    );
    expect(tried).toEqual(['second']);
  });

  it('sets aside a key the provider refuses while the user’s other keys carry on; the last refusal is the caller’s', async () => {
    const userId = await userWithKeys('gemini', ['first', 'second', 'third'], { rpm: 120 });
    const keys = ring('gemini', {});
    const refuse = (kind: 'invalid-key' | 'permission'): never => {
      throw new ProviderError({ kind, provider: 'gemini', message: `refused: ${kind}` });
    };
    /** The provider knows only the third key; the first lacks permission. Returns the keys one call sent to. */
    const call = async () => {
      const sent: string[] = [];
      await keys.call(
        { userId, priority: 0, provider: 'gemini', model: 'flash', need: {} },
        async (secret) => {
          const label = secret.split('-')[1] as string;
          sent.push(label);
          if (label === 'first') refuse('permission');
          if (label === 'second') refuse('invalid-key');
          return label;
        },
      );
      return sent;
    };
    // Eight at once, at two requests a second a key: whoever looks at the queue hands keys to the
    // others, and never one their own request was refused.
    for (const sent of await Promise.all(Array.from({ length: 8 }, call))) {
      expect(sent.at(-1)).toBe('third');
      expect(new Set(sent).size).toBe(sent.length);
    }

    // Every key refused: each is tried once, and the last answer is the caller's.
    const lone = await userWithKeys('gemini', ['first', 'second'], { rpm: 6000 });
    const sent: string[] = [];
    const refused = keys.call(
      { userId: lone, priority: 0, provider: 'gemini', model: 'flash', need: {} },
      async (secret) => {
        sent.push(secret.split('-')[1] as string);
        return refuse('invalid-key');
      },
    );
    await expect(refused).rejects.toMatchObject({ name: 'ProviderError', kind: 'invalid-key' });
    expect(sent.sort()).toEqual(['first', 'second']);
  });

  it('uses a key added while a request waited, when another request hands it over', async () => {
    const userId = await userWithKeys('gemini', ['first'], { rpm: 60 });
    const keys = ring('gemini', {});
    const req = { userId, priority: 0, provider: 'gemini', model: 'flash', need: {} } as const;
    const label = async (secret: string) => secret.split('-')[1] as string;
    expect(await keys.call(req, label)).toBe('first');
    // The first key's next slot is a second away: this request waits in line, knowing only that key.
    const waiting = keys.call(req, label);
    for (const until = Date.now() + 10_000; Date.now() < until; ) {
      if (await db('quota_waiters').where({ user_id: userId }).first()) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await db('quota_waiters').where({ user_id: userId }).first()).toBeDefined();
    await createCredential(db, credentialsKey, {
      userId,
      provider: 'gemini',
      label: 'second',
      secret: `valid-second-${randomUUID()}`,
      limits: { rpm: 60 },
    });
    // A later request reads both keys and, looking at the queue, hands the new one to the first in line.
    const later = keys.call(req, label);
    expect(await waiting).toBe('second');
    expect(await later).toBe('first');
  });

  it('with a fallback model left, says at once that every key rests for the model asked for', async () => {
    const userId = await userWithKeys('gemini', ['only']);
    const keys = ring('gemini', { rpm: 6000 });
    const req = { userId, priority: 0, provider: 'gemini', need: {}, onRest: 'throw' } as const;
    const throttled = keys.call({ ...req, model: 'pro' }, async () => {
      throw new ProviderError({
        kind: 'rate-limited',
        provider: 'gemini',
        message: '429',
        retryAfterMs: 60_000,
      });
    });
    await expect(throttled).rejects.toBeInstanceOf(KeysResting);
    // The same key still serves the other model.
    await expect(keys.call({ ...req, model: 'flash' }, async () => 'flash')).resolves.toBe('flash');
  });

  it('drops a waiter whose step died, so it never blocks the queue', async () => {
    await idle('openai');
    const userId = await newUser();
    await db('quota_waiters').insert({
      pool: 'openai:server',
      provider: 'openai',
      user_id: userId,
      priority: 0,
      seen_at: Date.now() - 60_000,
    });
    const keys = ring('openai', { rpm: 6000 });
    await expect(
      keys.call({ userId: ownerId, priority: 1, provider: 'openai', model: 'm', need: {} }, async () => 'ok'),
    ).resolves.toBe('ok');
    expect(await db('quota_waiters').where({ pool: 'openai:server' }).count({ n: '*' })).toEqual([
      { n: '0' },
    ]);
  });
});
