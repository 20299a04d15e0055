import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, realisticLatency, startFakeProviders } from './fakes/providers.ts';

let fake: FakeProviders;

beforeAll(async () => {
  fake = await startFakeProviders({
    msPerChar: 1,
    latency: { llm: { firstTokenMs: 100, tokensPerSecond: 200 }, tts: { fixedMs: 50, msPerChar: 2 } },
  });
});
afterAll(async () => {
  await fake?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const google = { 'x-goog-api-key': 'valid-latency' };

/** The time a call takes, with its answer read in full. */
async function timed(call: () => Promise<Response>): Promise<{ ms: number; status: number; json: unknown }> {
  const t0 = performance.now();
  const res = await call();
  const json = await res.json();
  return { ms: performance.now() - t0, status: res.status, json };
}

describe('the fake providers latency profile', () => {
  it('delays a text answer by the first token and the output tokens it sends', async () => {
    const { ms, status, json } = await timed(() =>
      post(
        '/v1beta/models/gemini-2.5-flash:generateContent',
        { contents: [{ parts: [{ text: 'Write about 150 words.' }] }] },
        google,
      ),
    );
    expect(status).toBe(200);
    const tokens = (json as { usageMetadata: { candidatesTokenCount: number } }).usageMetadata
      .candidatesTokenCount;
    expect(tokens).toBeGreaterThan(150);
    const expected = 100 + (tokens / 200) * 1000;
    expect(ms).toBeGreaterThanOrEqual(expected - 5);
    expect(ms).toBeLessThan(expected + 400);
  });

  it('delays speech by a fixed time and the characters spoken; OpenAI alike', async () => {
    const text = 'a'.repeat(300);
    const google1 = await timed(() =>
      post(
        '/v1/text:synthesize',
        {
          input: { text },
          voice: { languageCode: 'en-US', name: 'en-US-Neural2-C' },
          audioConfig: { audioEncoding: 'LINEAR16' },
        },
        google,
      ),
    );
    expect(google1.status).toBe(200);
    expect(google1.ms).toBeGreaterThanOrEqual(50 + 600 - 5);
    expect(google1.ms).toBeLessThan(50 + 600 + 400);

    const t0 = performance.now();
    const openai = await post(
      '/v1/audio/speech',
      { model: 'tts-1', input: text, voice: 'alloy', response_format: 'wav' },
      { authorization: 'Bearer valid-latency' },
    );
    await openai.arrayBuffer();
    expect(openai.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50 + 600 - 5);
  });

  it('answers errors at once, and the profile can be changed or removed', async () => {
    const bad = await timed(() =>
      post('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [] }, google),
    );
    expect(bad.status).toBe(400);
    expect(bad.ms).toBeLessThan(100);

    fake.setLatencyProfile(undefined);
    try {
      const quick = await timed(() =>
        post(
          '/v1beta/models/gemini-2.5-flash:generateContent',
          { contents: [{ parts: [{ text: 'Write about 150 words.' }] }] },
          google,
        ),
      );
      expect(quick.status).toBe(200);
      expect(quick.ms).toBeLessThan(300);
    } finally {
      fake.setLatencyProfile({
        llm: { firstTokenMs: 100, tokensPerSecond: 200 },
        tts: { fixedMs: 50, msPerChar: 2 },
      });
    }
  });

  it('has a realistic default: a 1,500-word block takes seconds, a full speech request under three', () => {
    const block = realisticLatency.llm.firstTokenMs + (1950 / realisticLatency.llm.tokensPerSecond) * 1000;
    expect(block).toBeGreaterThan(5000);
    expect(block).toBeLessThan(10_000);
    expect(realisticLatency.tts.fixedMs + 5000 * realisticLatency.tts.msPerChar).toBeLessThan(3000);
  });
});
