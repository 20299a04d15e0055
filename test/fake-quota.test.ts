import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { QuotaLimiter } from './fakes/quota.ts';

let fake: FakeProviders;

beforeAll(async () => {
  fake = await startFakeProviders({ msPerChar: 1, quota: { requestsPerMinute: 3 } });
});
afterAll(async () => {
  await fake?.close();
});

const generate = (key: string, words = 5) =>
  fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
    body: JSON.stringify({ contents: [{ parts: [{ text: `Write about ${words} words.` }] }] }),
  });
const synthesize = (key: string) =>
  fetch(`${fake.url}/v1/text:synthesize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
    body: JSON.stringify({
      input: { text: 'Olá.' },
      voice: { languageCode: 'pt-BR', name: 'pt-BR-Neural2-A' },
      audioConfig: { audioEncoding: 'LINEAR16' },
    }),
  });
const chat = (key: string) =>
  fetch(`${fake.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Write about 5 words.' }],
    }),
  });

describe('the fake providers enforce a quota', () => {
  it('per key and per API: the request over the minute limit gets a 429 with the time until a slot frees', async () => {
    const start = fake.requests.length;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await generate('valid-quota-a')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    const refused = await generate('valid-quota-a');
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as {
      error: { status: string; details: Array<{ '@type': string; retryDelay?: string }> };
    };
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    const retry = body.error.details.find((d) => d['@type'].endsWith('RetryInfo'))?.retryDelay;
    // The first request arrived moments ago: its slot frees in a little under 60 s, rounded up.
    expect(retry).toMatch(/^(59|60)s$/);

    // Another key, and the same key on another API, have quotas of their own.
    expect((await generate('valid-quota-b')).status).toBe(200);
    expect((await synthesize('valid-quota-a')).status).toBe(200);

    const log = fake.requests.slice(start);
    expect(log.filter((r) => r.quota === 'minute').map((r) => [r.api, r.key, r.status])).toEqual([
      ['gemini', 'valid-quota-a', 429],
      ['gemini', 'valid-quota-a', 429],
    ]);
    expect(log.filter((r) => r.quota).every((r) => !r.completed && r.fault === undefined)).toBe(true);
  });

  it('OpenAI answers its own rate-limit 429 with retry-after headers', async () => {
    for (let i = 0; i < 3; i++) expect((await chat('valid-quota-c')).status).toBe(200);
    const refused = await chat('valid-quota-c');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
  });

  it('listings are free, and setQuota changes the limits at once', async () => {
    fake.setQuota({ requestsPerMinute: 1, requestsPerDay: 2 });
    try {
      expect((await generate('valid-quota-d')).status).toBe(200);
      const voices = await fetch(`${fake.url}/v1/voices`, { headers: { 'x-goog-api-key': 'valid-quota-d' } });
      expect(voices.status).toBe(200);
      expect((await generate('valid-quota-d')).status).toBe(429);
      fake.setQuota({});
      expect((await generate('valid-quota-d')).status).toBe(200);
    } finally {
      fake.setQuota({ requestsPerMinute: 3 });
    }
  });
});

describe('the quota limiter', () => {
  it('slides the minute window: a slot frees 60 s after the request it replaces arrived', () => {
    const limiter = new QuotaLimiter({ requestsPerMinute: 2 });
    const t = Date.UTC(2025, 0, 15, 12, 0, 0);
    expect(limiter.admit('gemini', 'k', t)).toBeUndefined();
    expect(limiter.admit('gemini', 'k', t + 20_000)).toBeUndefined();
    expect(limiter.admit('gemini', 'k', t + 30_500)).toEqual({ limit: 'minute', retryDelaySeconds: 30 });
    expect(limiter.admit('gemini', 'k', t + 59_999)).toEqual({ limit: 'minute', retryDelaySeconds: 1 });
    expect(limiter.admit('gemini', 'k', t + 60_000)).toBeUndefined();
    expect(limiter.admit('gemini', 'k', t + 61_000)).toEqual({ limit: 'minute', retryDelaySeconds: 19 });
  });

  it('counts the day from midnight in Los Angeles, and waits until the next one', () => {
    const limiter = new QuotaLimiter({ requestsPerDay: 2 });
    // 07:30 UTC on 15 January is 23:30 in Los Angeles (UTC-8): half an hour before its midnight.
    const lateEvening = Date.UTC(2025, 0, 15, 7, 30, 0);
    expect(limiter.admit('google-tts', 'k', lateEvening)).toBeUndefined();
    expect(limiter.admit('google-tts', 'k', lateEvening + 1000)).toBeUndefined();
    expect(limiter.admit('google-tts', 'k', lateEvening + 2000)).toEqual({
      limit: 'day',
      retryDelaySeconds: 30 * 60 - 2,
    });
    // Midnight in Los Angeles: a new day, with the whole quota again.
    expect(limiter.admit('google-tts', 'k', Date.UTC(2025, 0, 15, 8, 0, 0))).toBeUndefined();
  });
});
