import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeProviders, type Fault, startFakeProviders } from './fakes/providers.ts';
import { type ApiHarness, signUp, startApi } from './support/api.ts';
import { repoRoot } from './support/env.ts';

const TTS_KEY = 'valid-google-tts-key-4821';
const googleAgent = (name: string, voice = 'pt-BR-Neural2-A') => ({
  ...JSON.parse(fs.readFileSync(`${repoRoot}/test/fixtures/agent.json`, 'utf8')),
  name,
  target_languages: [],
  tts_provider: 'google',
  default_voices: { 'pt-BR': voice },
});

describe('provider hiccups on the HTTP API', () => {
  let h: ApiHarness;
  let fake: FakeProviders;
  let user: Awaited<ReturnType<typeof signUp>>;
  /** Google's voice list (a free call, so `calls: 'all'`) fails this many times; earlier faults end. */
  const listFails = (kind: Fault['kind'], times: number, extra: Partial<Fault> = {}) => {
    fake.clearFaults();
    fake.inject({ api: 'google-tts', kind, calls: 'all', times, ...extra });
  };
  const reached = () => fake.requests.filter((r) => r.api === 'google-tts').length;

  beforeAll(async () => {
    fake = await startFakeProviders();
    h = await startApi({ ...fake.env });
    user = await signUp(h.url, `hiccups-${Date.now()}@example.com`);
    const key = await user.api('POST', '/api/credentials', { provider: 'google-tts', key: TTS_KEY });
    expect(key.status).toBe(201);
  });
  beforeEach(() => fake.clearFaults());
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('saves an agent while the voice list answers 429 or 500, its voices "not checked", and checks them on the next read', async () => {
    listFails('429', 1, { retryDelaySeconds: 30 });
    const created = await user.api('POST', '/api/agents', googleAgent('Rate-limited voices'));
    expect(created.status).toBe(201);
    expect(created.json.voice_check).toMatchObject({ status: 'not_checked' });
    expect(created.json.voice_check.reason).toMatch(/rate-limiting/);
    expect(created.text).not.toContain(TTS_KEY);

    listFails('500', 1);
    const edited = await user.api('PUT', `/api/agents/${created.json.id}`, {
      ...googleAgent('Rate-limited voices'),
      default_voices: { 'pt-BR': 'pt-BR-Wavenet-B' },
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({
      default_voices: { 'pt-BR': 'pt-BR-Wavenet-B' },
      voice_check: { status: 'not_checked' },
    });
    expect(edited.json.voice_check.reason).toMatch(/Internal error encountered/);

    // The original system's endpoint saves too.
    listFails('500', 1);
    const seed = await user.api('POST', '/me/agents', googleAgent('Seed agent, provider down'));
    expect(seed.status).toBe(200);
    expect(seed.json.voice_check.status).toBe('not_checked');

    // The provider answers again: reading the agent checks its voices, and that sticks.
    const read = await user.api('GET', `/api/agents/${created.json.id}`);
    expect(read.json.voice_check).toEqual({ status: 'checked' });
    const listed = (await user.api('GET', '/api/agents')).json.items;
    expect(listed.find((a: { id: string }) => a.id === created.json.id).voice_check).toEqual({
      status: 'checked',
    });
  });

  it('still refuses a voice the provider says it lacks, when saving and when a job starts', async () => {
    const refused = await user.api('POST', '/api/agents', googleAgent('No such voice', 'pt-BR-Nope-Z'));
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toEqual([
      { field: 'default_voices.pt-BR', message: 'google has no voice "pt-BR-Nope-Z"' },
    ]);

    // Saved while the provider was down; the job start checks again and names the voice.
    listFails('500', 1);
    const saved = await user.api('POST', '/api/agents', googleAgent('Unchecked bad voice', 'pt-BR-Nope-Z'));
    expect(saved.json.voice_check.status).toBe('not_checked');
    const job = await user.api('POST', '/api/jobs', { agent_id: saved.json.id, title: 'Never starts' });
    expect(job.status).toBe(422);
    expect(job.json.error).toMatchObject({ code: 'invalid_voice' });
    expect(job.json.error.message).toContain('pt-BR-Nope-Z');
    expect((await user.api('GET', '/api/jobs')).json.items).toEqual([]);
    expect((await user.api('GET', `/api/agents/${saved.json.id}`)).json.voice_check.status).toBe('invalid');
  });

  it('answers a provider error on a route with 502 or 503 and its reason, never 500, and never the key', async () => {
    const voices = () => user.api('GET', '/api/tts/voices?provider=google&language=pt-BR');

    let before = reached();
    listFails('500', 5);
    const failing = await voices();
    expect(failing.status).toBe(502);
    expect(reached() - before).toBe(3);
    expect(failing.json.error).toMatchObject({
      code: 'provider_transient',
      details: { provider: 'google-tts', status: 500, reason: 'Internal error encountered.' },
    });
    expect(failing.json.error.message).toMatch(/Google Cloud Text-to-Speech failed \(HTTP 500\)/);

    // Rate-limited for longer than a person waits: not waited for, said with Retry-After.
    before = reached();
    listFails('429', 5, { retryDelaySeconds: 30 });
    const limited = await voices();
    expect(limited.status).toBe(503);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.json.error).toMatchObject({ code: 'provider_rate_limited', details: { retry_after: 30 } });
    expect(reached() - before).toBe(1);

    listFails('reset', 5);
    const unreachable = await voices();
    expect(unreachable.status).toBe(503);
    expect(unreachable.json.error.code).toBe('provider_unavailable');

    // The provider rejecting the key is not the user's session ending.
    listFails('invalid-key', 5);
    const rejected = await voices();
    expect(rejected.status).toBe(502);
    expect(rejected.json.error.code).toBe('provider_invalid_key');
    expect((await user.api('GET', '/api/me')).status).toBe(200);

    const preview = { provider: 'google', language: 'pt-BR', voice: 'pt-BR-Neural2-A', text: 'Olá!' };
    fake.clearFaults();
    fake.inject({ api: 'google-tts', kind: '500', times: 5 });
    const failedPreview = await user.api('POST', '/api/tts/preview', preview);
    expect(failedPreview.status).toBe(502);

    for (const res of [failing, limited, unreachable, rejected, failedPreview]) {
      expect(res.text).not.toContain(TTS_KEY);
      expect(res.json.error.message).not.toBe('Internal server error');
    }

    // A passing failure is tried again: the answer is the list, after the wait the provider asked for.
    before = reached();
    listFails('429', 1, { retryDelaySeconds: 1 });
    const started = Date.now();
    const retried = await voices();
    expect(retried.status).toBe(200);
    expect(retried.json.items.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(reached() - before).toBe(2);
    fake.clearFaults();
    fake.inject({ api: 'google-tts', kind: '500', times: 1 });
    const spoken = await fetch(`${h.url}/api/tts/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(preview),
    });
    expect(spoken.status).toBe(200);
    expect(spoken.headers.get('content-type')).toBe('audio/wav');
  });

  it('speaks a preview with the next key when the provider refuses the first, and refuses a key no header can carry', async () => {
    const other = await signUp(h.url, `two-keys-${Date.now()}@example.com`);
    // The older key, tried first, is one the provider does not know.
    for (const key of ['revoked-google-tts-key-0001', 'valid-google-tts-key-0002'])
      expect((await other.api('POST', '/api/credentials', { provider: 'google-tts', key })).status).toBe(201);
    const synthesized = () =>
      fake.requests.filter((r) => r.api === 'google-tts' && r.path.endsWith('text:synthesize'));
    const before = synthesized().length;
    const res = await fetch(`${h.url}/api/tts/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'google', language: 'pt-BR', voice: 'pt-BR-Neural2-A', text: 'Olá!' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    // One refused request with the first key, then the second key's answer.
    expect(
      synthesized()
        .slice(before)
        .map((r) => r.key),
    ).toEqual(['revoked-google-tts-key-0001', 'valid-google-tts-key-0002']);

    const malformed = await other.api('POST', '/api/credentials', {
      provider: 'gemini',
      key: 'AIza key\u00e9 with spaces',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.details).toMatchObject([
      { field: 'key', message: 'must be printable ASCII characters without spaces, as the provider gave it' },
    ]);
    expect((await other.api('GET', '/api/credentials')).json.items).toHaveLength(2);
  });

  it('tries a key test again after a passing failure, and says why when it cannot check', async () => {
    const id = (await user.api('GET', '/api/credentials')).json.items[0].id;
    listFails('500', 1);
    expect((await user.api('POST', `/api/credentials/${id}/test`)).json.status).toBe('valid');
    listFails('500', 5);
    const down = await user.api('POST', `/api/credentials/${id}/test`);
    expect(down.status).toBe(200);
    expect(down.json.status).toBe('unreachable');
    expect(down.json.message).toContain('Internal error encountered');
    expect(down.text).not.toContain(TTS_KEY);
  });
});
