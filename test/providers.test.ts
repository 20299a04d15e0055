import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  checkCredential,
  classifyGoogleError,
  classifyOpenAiError,
  EspeakTtsProvider,
  ffmpegPaths,
  GeminiLlmProvider,
  GeminiTtsProvider,
  GoogleTtsProvider,
  isRetryable,
  OpenAiLlmProvider,
  OpenAiTtsProvider,
  ProviderError,
  type ProviderErrorKind,
  readWav,
  type TtsResult,
  toWav,
} from '@bolt/activities';
import { type VoiceSettings, voiceSettingsSchema } from '@bolt/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { probeSeconds } from './support/ffprobe.ts';

let fake: FakeProviders;
let dir: string;
const tools = ffmpegPaths();

beforeAll(async () => {
  fake = await startFakeProviders();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bolt-providers-'));
});
afterAll(async () => {
  await fake?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});
afterEach(() => fake.clearFaults());

const KEY = 'valid-test-key-1234567890';
const gemini = (apiKey = KEY, model = 'gemini-2.5-flash') =>
  new GeminiLlmProvider({ apiKey, model, baseUrl: fake.url });
const openai = (apiKey = KEY, model = 'gpt-4o-mini') =>
  new OpenAiLlmProvider({ apiKey, model, baseUrl: `${fake.url}/v1` });
const googleTts = (apiKey = KEY) => new GoogleTtsProvider({ apiKey, baseUrl: fake.url });
const openaiTts = (apiKey = KEY) => new OpenAiTtsProvider({ apiKey, baseUrl: `${fake.url}/v1` });
const geminiTts = (apiKey = KEY) => new GeminiTtsProvider({ apiKey, baseUrl: fake.url });

/** The error a promise rejects with, which must be a ProviderError. */
async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

/** Writes audio where ffprobe can read it (raw PCM gets a WAV header, as the narration step does). */
async function duration(result: TtsResult, name: string): Promise<number> {
  const bytes =
    result.format === 'pcm' ? await toWav(tools, result.audio, 'pcm', result.sampleRate) : result.audio;
  const file = path.join(dir, `${name}.${result.format === 'mp3' ? 'mp3' : 'wav'}`);
  await fs.writeFile(file, bytes);
  return probeSeconds(file);
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
const paidCalls = () => fake.requests.filter((r) => r.paid);

describe('text models', () => {
  for (const [label, make] of [
    ['Gemini', gemini],
    ['OpenAI', openai],
  ] as const) {
    describe(label, () => {
      it('writes the text asked for, with token counts, the same on every call', async () => {
        const req = {
          system: 'You are a storyteller.',
          prompt: 'Write about 120 words on a bridge.',
          maxTokens: 1000,
        };
        const first = await make().generate(req);
        expect(words(first.text)).toBe(120);
        expect(first.text).toMatch(/^[A-Z][\s\S]*\.$/);
        expect(first.finishReason).toBe('stop');
        expect(first.tokensOut).toBe(Math.ceil(120 * 1.3));
        expect(first.tokensIn).toBeGreaterThan(10);
        expect(first.model).toBe(label === 'Gemini' ? 'gemini-2.5-flash' : 'gpt-4o-mini');
        const again = await make().generate(req);
        expect(again.text).toBe(first.text);
        const other = await make().generate({ ...req, prompt: 'Write about 120 words on a river.' });
        expect(other.text).not.toBe(first.text);
      });

      it('stops at maxTokens and says so', async () => {
        const res = await make().generate({ prompt: 'Write about 300 words.', maxTokens: 130 });
        expect(res.finishReason).toBe('length');
        expect(words(res.text)).toBe(100);
        expect(res.tokensOut).toBeLessThanOrEqual(130);
      });

      it('classifies each failure, once per call (no retries inside the SDK)', async () => {
        const api = label === 'Gemini' ? 'gemini' : 'openai';
        const req = { prompt: 'Write about 20 words.', maxTokens: 200 };
        const cases: Array<[Parameters<FakeProviders['inject']>[0], ProviderErrorKind]> = [
          [{ api, kind: '429', retryDelaySeconds: 7 }, 'rate-limited'],
          [{ api, kind: '500' }, 'transient'],
          [{ api, kind: 'reset' }, 'transient'],
          [{ api, kind: 'safety' }, 'safety'],
          [{ api, kind: 'invalid-key' }, 'invalid-key'],
        ];
        for (const [fault, kind] of cases) {
          fake.inject(fault);
          const before = paidCalls().length;
          const err = await failure(make().generate(req));
          expect(err.kind, fault.kind).toBe(kind);
          expect(err.provider).toBe(api);
          expect(isRetryable(err.kind)).toBe(kind === 'rate-limited' || kind === 'transient');
          expect(paidCalls().length - before, `${fault.kind}: one request`).toBe(1);
          if (kind === 'rate-limited') {
            expect(err.retryAfterMs).toBe(7000);
            expect(err.status).toBe(429);
          }
          if (fault.kind === '500') expect(err.status).toBe(500);
        }
        // The fault queue is used up: the next call works.
        expect((await make().generate(req)).finishReason).toBe('stop');
      });

      it('truncate: the model stops early with finish reason length', async () => {
        fake.inject({ api: label === 'Gemini' ? 'gemini' : 'openai', kind: 'truncate' });
        const res = await make().generate({ prompt: 'Write about 80 words.', maxTokens: 1000 });
        expect(res.finishReason).toBe('length');
        expect(words(res.text)).toBe(40);
      });

      it('rejects a bad key with advice and without the key; a quota key is rate-limited', async () => {
        const key = 'rejected-secret-key-abcdef123456';
        const err = await failure(make(key).generate({ prompt: 'hello', maxTokens: 50 }));
        expect(err.kind).toBe('invalid-key');
        expect(err.message).toMatch(/add a valid key under Credentials/);
        expect(err.message).not.toContain(key);
        expect(JSON.stringify(err)).not.toContain(key);
        expect(String(err.stack)).not.toContain(key);
        const quota = await failure(make('quota-secret-key-99').generate({ prompt: 'hello', maxTokens: 50 }));
        expect(quota.kind).toBe('rate-limited');
        expect(quota.message).not.toContain('quota-secret-key-99');
      });

      it('an unknown model is a bad request', async () => {
        const err = await failure(make(KEY, 'no-such-model').generate({ prompt: 'hello', maxTokens: 50 }));
        expect(err.kind).toBe('bad-request');
        expect(err.status).toBe(404);
      });
    });
  }

  it('honours the caller cancelling: the abort reason comes back, not a provider error', async () => {
    fake.inject({ api: 'gemini', kind: 'latency', latencyMs: 3000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('activity cancelled')), 200);
    const err = await gemini()
      .generate({ prompt: 'hello', maxTokens: 50, signal: controller.signal })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('activity cancelled');
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe('speech', () => {
  const text = 'A ponte de Alcântara foi construída pelos romanos há quase dois mil anos.';
  const seconds = ([...text].length * 20) / 1000;

  it('Google Cloud TTS: WAV with the expected duration, the same bytes for the same input', async () => {
    const res = await googleTts().synthesize({ text, language: 'pt-BR', voice: 'pt-BR-Neural2-A' });
    expect(res.format).toBe('wav');
    expect(readWav(res.audio)?.sampleRate).toBe(24_000);
    expect(res.audio.toString('ascii', 0, 4)).toBe('RIFF');
    expect(await duration(res, 'google')).toBeCloseTo(seconds, 1);
    const again = await googleTts().synthesize({ text, language: 'pt-BR', voice: 'pt-BR-Neural2-A' });
    expect(again.audio.equals(res.audio)).toBe(true);
    const byLanguage = await googleTts().synthesize({ text, language: 'pt-BR' });
    expect(await duration(byLanguage, 'google-default')).toBeCloseTo(seconds, 1);
  });

  it('Google Cloud TTS: oversize input, unknown voice, bad key, quota, 500, reset', async () => {
    const tts = googleTts();
    expect(tts.maxInputBytes).toBe(5000);
    const big = await failure(tts.synthesize({ text: 'ã'.repeat(2501), language: 'pt-BR' }));
    expect(big.kind).toBe('bad-request');
    expect(big.message).toMatch(/5000 bytes/);
    const fits = await tts.synthesize({ text: 'ã'.repeat(2500), language: 'pt-BR' });
    expect(fits.audio.length).toBeGreaterThan(44);

    const voice = await failure(tts.synthesize({ text, language: 'pt-BR', voice: 'pt-BR-Neural2-Z' }));
    expect(voice.kind).toBe('unsupported-voice');
    expect(voice.message).toMatch(/pick another voice/);

    const key = 'AIzaSyNotARealKeyButShapedLikeOne123456';
    const bad = await failure(googleTts(key).synthesize({ text, language: 'pt-BR' }));
    expect(bad.kind).toBe('invalid-key');
    expect(bad.message).not.toContain(key);

    for (const [kind, expected] of [
      ['429', 'rate-limited'],
      ['500', 'transient'],
      ['reset', 'transient'],
      ['truncate', 'transient'],
      ['safety', 'safety'],
    ] as const) {
      fake.inject({ api: 'google-tts', kind, retryDelaySeconds: 3 });
      const before = paidCalls().length;
      const err = await failure(tts.synthesize({ text, language: 'pt-BR' }));
      expect(err.kind, kind).toBe(expected);
      expect(paidCalls().length - before, `${kind}: one request`).toBe(1);
      if (kind === '429') expect(err.retryAfterMs).toBe(3000);
    }
  });

  it('Google Cloud TTS: lists the voices of a language', async () => {
    const voices = await googleTts().listVoices('pt-BR');
    expect(voices.length).toBeGreaterThan(5);
    expect(voices.every((v) => v.languages.includes('pt-BR'))).toBe(true);
    expect(voices.map((v) => v.name)).toContain('pt-BR-Neural2-A');
    expect(voices.find((v) => v.name === 'pt-BR-Neural2-A')?.gender).toBe('female');
    const all = await googleTts().listVoices();
    expect(all.length).toBeGreaterThan(voices.length);
  });

  it('OpenAI: WAV with the expected duration; the fixed voice list; faults classified', async () => {
    const res = await openaiTts().synthesize({ text, language: 'pt-BR', voice: 'nova' });
    expect(res.format).toBe('wav');
    expect(await duration(res, 'openai')).toBeCloseTo(seconds, 1);
    const voices = await openaiTts().listVoices('pt-BR');
    expect(voices.map((v) => v.name)).toEqual([
      'alloy',
      'ash',
      'ballad',
      'coral',
      'echo',
      'fable',
      'nova',
      'onyx',
      'sage',
      'shimmer',
    ]);
    expect(openaiTts().maxInputBytes).toBe(4096);

    expect((await failure(openaiTts().synthesize({ text, language: 'pt-BR', voice: 'bogus' }))).kind).toBe(
      'unsupported-voice',
    );
    expect((await failure(openaiTts().synthesize({ text: 'a'.repeat(4097), language: 'en-US' }))).kind).toBe(
      'bad-request',
    );
    for (const [kind, expected] of [
      ['429', 'rate-limited'],
      ['500', 'transient'],
      ['reset', 'transient'],
      ['truncate', 'transient'],
      ['safety', 'safety'],
      ['invalid-key', 'invalid-key'],
    ] as const) {
      fake.inject({ api: 'openai', kind, retryDelaySeconds: 2 });
      const err = await failure(openaiTts().synthesize({ text, language: 'pt-BR' }));
      expect(err.kind, kind).toBe(expected);
      if (kind === '429') expect(err.retryAfterMs).toBe(2000);
    }
  });

  it('Gemini: raw 24 kHz PCM with the expected duration; voices; faults classified', async () => {
    const res = await geminiTts().synthesize({ text, language: 'pt-BR', voice: 'kore' });
    expect(res.format).toBe('pcm');
    expect(res.sampleRate).toBe(24_000);
    expect(res.audio.length).toBe(Math.round(seconds * 24_000) * 2);
    expect(await duration(res, 'gemini')).toBeCloseTo(seconds, 1);
    const voices = (await geminiTts().listVoices('pt-BR')).map((v) => v.name);
    expect(voices).toEqual(
      expect.arrayContaining(['Kore', 'Puck', 'Charon', 'Zephyr', 'Fenrir', 'Leda', 'Orus', 'Aoede']),
    );

    expect((await failure(geminiTts().synthesize({ text, language: 'pt-BR', voice: 'Nobody' }))).kind).toBe(
      'unsupported-voice',
    );
    for (const [kind, expected] of [
      ['429', 'rate-limited'],
      ['500', 'transient'],
      ['reset', 'transient'],
      ['truncate', 'transient'],
      ['safety', 'safety'],
      ['invalid-key', 'invalid-key'],
    ] as const) {
      fake.inject({ api: 'gemini', kind, retryDelaySeconds: 4 });
      const err = await failure(geminiTts().synthesize({ text, language: 'pt-BR' }));
      expect(err.kind, kind).toBe(expected);
      if (kind === '429') expect(err.retryAfterMs).toBe(4000);
    }
  });
});

describe('voice settings', () => {
  const text = 'A ponte de Alcântara foi construída pelos romanos há quase dois mil anos.';
  const seconds = ([...text].length * 20) / 1000;
  const voice = (settings: Partial<VoiceSettings>) => voiceSettingsSchema.parse(settings);
  /** What the last speech request asked the fake for, beyond its text. */
  const sent = () => fake.requests.at(-1)?.settings;

  it('Google Cloud TTS: rate, pitch and gain in audioConfig; the rate changes the duration', async () => {
    const settings = voice({ rate: 1.5, pitch: -4, gain_db: 3 });
    const res = await googleTts().synthesize({ text, language: 'pt-BR', voice: 'pt-BR-Neural2-A', settings });
    expect(sent()).toEqual({ speakingRate: 1.5, pitch: -4, volumeGainDb: 3 });
    expect(await duration(res, 'google-fast')).toBeCloseTo(seconds / 1.5, 1);
    // Google refuses rates above 2: a faster setting is sent as 2.
    await googleTts().synthesize({ text, language: 'pt-BR', settings: voice({ rate: 3 }) });
    expect(sent()).toEqual({ speakingRate: 2 });
    await googleTts().synthesize({ text, language: 'pt-BR', settings: voice({}) });
    expect(sent()).toEqual({});
  });

  it('Google Cloud TTS: a paragraph pause as escaped SSML breaks, but not for Chirp 3 HD voices', async () => {
    const paragraphs = 'Tom & Jerry <ao vivo>.\n\nO segundo parágrafo.';
    const settings = voice({ paragraph_pause_ms: 700, pitch: 2 });
    const tts = googleTts();
    const res = await tts.synthesize({
      text: paragraphs,
      language: 'pt-BR',
      voice: 'pt-BR-Wavenet-A',
      settings,
    });
    const ssml = '<speak>Tom &amp; Jerry &lt;ao vivo&gt;.<break time="700ms"/>O segundo parágrafo.</speak>';
    expect(sent()).toEqual({ pitch: 2, ssml });
    const spoken = [...ssml.replace(/<[^>]*>/g, '')].length * 0.02;
    expect(await duration(res, 'google-ssml')).toBeCloseTo(spoken + 0.7, 1);
    expect(tts.voiceParams({ text: paragraphs, voice: 'pt-BR-Wavenet-A', settings })).toEqual({
      pitch: 2,
      paragraphPauseMs: 700,
    });
    // One paragraph needs no SSML, and the pause leaves its cache key alone.
    await tts.synthesize({ text, language: 'pt-BR', voice: 'pt-BR-Wavenet-A', settings });
    expect(sent()).toEqual({ pitch: 2 });
    expect(tts.voiceParams({ text, voice: 'pt-BR-Wavenet-A', settings })).toEqual({ pitch: 2 });
    // Chirp 3 HD voices take neither SSML nor a pitch: plain text, and neither is in the cache key.
    const chirp = 'pt-BR-Chirp3-HD-Kore';
    await tts.synthesize({ text: paragraphs, language: 'pt-BR', voice: chirp, settings });
    expect(sent()).toEqual({});
    expect(tts.voiceParams({ text: paragraphs, voice: chirp, settings })).toEqual({});
    expect(tts.paragraphInput(['a', 'b'], chirp, 700)).toBeUndefined();
  });

  it('OpenAI: the rate as speed; pitch and gain are not sent', async () => {
    const settings = voice({ rate: 0.5, pitch: 5, gain_db: -3 });
    const res = await openaiTts().synthesize({ text, language: 'pt-BR', voice: 'nova', settings });
    expect(sent()).toEqual({ speed: 0.5 });
    expect(await duration(res, 'openai-slow')).toBeCloseTo(seconds * 2, 1);
    await openaiTts().synthesize({ text, language: 'pt-BR', voice: 'nova', settings: voice({ rate: 4 }) });
    expect(sent()).toEqual({ speed: 4 });
    await openaiTts().synthesize({ text, language: 'pt-BR', voice: 'nova', settings: voice({ pitch: 5 }) });
    expect(sent()).toEqual({});
  });

  it('Gemini: the rate and pitch as a direction before the text; small changes say nothing', async () => {
    const settings = voice({ rate: 1.2, pitch: -5 });
    await geminiTts().synthesize({ text, language: 'pt-BR', voice: 'kore', settings });
    expect(sent()).toEqual({
      prompt: `Read aloud at a slightly faster pace, with a lower pitch:\n\n${text}`,
    });
    await geminiTts().synthesize({ text, language: 'pt-BR', settings: voice({ rate: 0.4, pitch: 12 }) });
    expect(sent()).toEqual({
      prompt: `Read aloud at a much slower pace, with a much higher pitch:\n\n${text}`,
    });
    await geminiTts().synthesize({ text, language: 'pt-BR', settings: voice({ rate: 1.02, gain_db: 6 }) });
    expect(sent()).toEqual({ prompt: text });
    expect(geminiTts().voiceParams({ settings: voice({ rate: 1.02, gain_db: 6 }) })).toEqual({});
  });

  it('espeak-ng: the rate in words per minute shortens real speech; pitch and gain as its own flags', async () => {
    const espeak = new EspeakTtsProvider();
    const sentence = 'The bridge of Alcantara was built by the Romans almost two thousand years ago.';
    const normal = await espeak.synthesize({ text: sentence, language: 'en-US' });
    const settings = voice({ rate: 2, pitch: 6, gain_db: -6 });
    const fast = await espeak.synthesize({ text: sentence, language: 'en-US', settings });
    const [slow, quick] = [await duration(normal, 'espeak-normal'), await duration(fast, 'espeak-fast')];
    expect(quick).toBeLessThan(slow * 0.7);
    expect(quick).toBeGreaterThan(slow * 0.3);
    expect(espeak.voiceParams({ settings })).toEqual({ s: 350, p: 75, a: 50 });
    // Clamped to espeak-ng's own ranges: 80–450 words per minute, pitch 0–99.
    expect(espeak.voiceParams({ settings: voice({ rate: 4, pitch: -20 }) })).toEqual({ s: 450, p: 0 });
    expect(espeak.voiceParams({ settings: voice({}) })).toEqual({});
  });
});

describe('the fake server', () => {
  it('logs every paid call: completed only when a 200 was sent in full', async () => {
    const start = fake.requests.length;
    fake.inject({ api: 'openai', kind: 'reset' });
    await openai()
      .generate({ prompt: 'once', maxTokens: 50 })
      .catch(() => undefined);
    await openai().generate({ prompt: 'once', maxTokens: 50 });
    const log = fake.requests.slice(start);
    expect(log.map((r) => [r.api, r.path, r.status, r.completed, r.fault])).toEqual([
      ['openai', '/v1/chat/completions', 0, false, 'reset'],
      ['openai', '/v1/chat/completions', 200, true, undefined],
    ]);
    expect(log[0]?.bodyHash).toBe(log[1]?.bodyHash);
    expect(log[0]?.key).toBe(KEY);
  });

  it('adds latency to every paid call, and a latency fault on top', async () => {
    fake.setLatency(150);
    try {
      let t = Date.now();
      await openai().generate({ prompt: 'Write about 10 words.', maxTokens: 50 });
      expect(Date.now() - t).toBeGreaterThanOrEqual(140);
      fake.inject({ kind: 'latency', latencyMs: 300 });
      t = Date.now();
      await gemini().generate({ prompt: 'Write about 12 words.', maxTokens: 50 });
      expect(Date.now() - t).toBeGreaterThanOrEqual(440);
    } finally {
      fake.setLatency(0);
    }
  });

  it('faults for one API leave the others alone, and are used up in order', async () => {
    fake.inject({ api: 'gemini', kind: '500', times: 2 });
    fake.inject({ api: 'gemini', kind: '429' });
    expect((await openai().generate({ prompt: 'Write about 10 words.', maxTokens: 50 })).finishReason).toBe(
      'stop',
    );
    expect((await failure(gemini().generate({ prompt: 'Write about 10 words.', maxTokens: 50 }))).kind).toBe(
      'transient',
    );
    expect((await failure(gemini().generate({ prompt: 'Write about 10 words.', maxTokens: 50 }))).kind).toBe(
      'transient',
    );
    expect((await failure(gemini().generate({ prompt: 'Write about 10 words.', maxTokens: 50 }))).kind).toBe(
      'rate-limited',
    );
    expect((await gemini().generate({ prompt: 'Write about 10 words.', maxTokens: 50 })).finishReason).toBe(
      'stop',
    );
  });
});

describe('credential checks', () => {
  const urls = () => ({ gemini: fake.url, openai: `${fake.url}/v1`, googleTts: fake.url });

  it('checks Google Cloud TTS keys by listing voices', async () => {
    const start = fake.requests.length;
    expect((await checkCredential('google-tts', 'valid-tts-key-0001', urls())).status).toBe('valid');
    const rejected = await checkCredential('google-tts', 'rejected-tts-key-0002', urls());
    expect(rejected.status).toBe('invalid');
    expect(rejected.message).not.toContain('rejected-tts-key-0002');
    expect((await checkCredential('google-tts', 'quota-tts-key-0003', urls())).status).toBe('quota');
    // A passing failure is tried again (three calls in all) before the key is called unreachable.
    fake.inject({ api: 'google-tts', kind: '500', calls: 'all', times: 3 });
    expect((await checkCredential('google-tts', 'valid-tts-key-0004', urls())).status).toBe('unreachable');
    expect(fake.requests.slice(start).map((r) => [r.api, r.method, r.path, r.key])).toEqual([
      ['google-tts', 'GET', '/v1/voices', 'valid-tts-key-0001'],
      ['google-tts', 'GET', '/v1/voices', 'rejected-tts-key-0002'],
      ['google-tts', 'GET', '/v1/voices', 'quota-tts-key-0003'],
      ...Array.from({ length: 3 }, () => ['google-tts', 'GET', '/v1/voices', 'valid-tts-key-0004']),
    ]);
  });

  it('still checks Gemini and OpenAI keys', async () => {
    expect((await checkCredential('gemini', 'valid-g', urls())).status).toBe('valid');
    expect((await checkCredential('gemini', 'nope-g', urls())).status).toBe('invalid');
    expect((await checkCredential('openai', 'quota-o', urls())).status).toBe('quota');
    expect((await checkCredential('openai', 'nope-o', urls())).status).toBe('invalid');
  });

  it('calls a key invalid only when the provider rejects it, not when the check itself is refused', async () => {
    // A server without the route the check calls (a proxy, an older or partial implementation).
    const missing = { gemini: `${fake.url}/elsewhere`, openai: `${fake.url}/elsewhere`, googleTts: fake.url };
    const gemini = await checkCredential('gemini', 'valid-g', missing);
    expect(gemini).toMatchObject({ status: 'unreachable' });
    expect(gemini.message).toMatch(/^Could not check the key now/);
    // The provider's words apart, for a client that writes the verdict in its own language.
    expect(gemini.reason).toBeTruthy();
    expect(gemini.message).toBe(`Could not check the key now. ${gemini.reason}`);
    expect((await checkCredential('openai', 'valid-o', missing)).status).toBe('unreachable');
    expect((await checkCredential('gemini', 'nope-g', urls())).status).toBe('invalid');
  });
});

describe('classifiers', () => {
  it('never let the key through, even when the provider echoes it', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    const err = classifyOpenAiError(
      'openai',
      Object.assign(new Error(`401 Incorrect API key provided: ${key}.`), {
        status: 401,
        error: { message: `Incorrect API key provided: ${key}.` },
      }),
      key,
    );
    expect(err.kind).toBe('invalid-key');
    expect(err.message).not.toContain(key);
    expect(err.message).not.toContain(key.slice(0, 20));
    const google = classifyGoogleError(
      'gemini',
      Object.assign(
        new Error(
          JSON.stringify({
            error: { code: 403, message: `Key ${key} blocked`, status: 'PERMISSION_DENIED' },
          }),
        ),
        {
          status: 403,
        },
      ),
      key,
    );
    expect(google.kind).toBe('permission');
    expect(google.message).not.toContain(key);
  });

  it('reads retry-after headers and Google retry delays', () => {
    const headers = new Headers({ 'retry-after': '12' });
    expect(
      classifyOpenAiError('openai', Object.assign(new Error('429'), { status: 429, headers }), 'k')
        .retryAfterMs,
    ).toBe(12_000);
    const body = {
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'slow down',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }],
      },
    };
    const err = classifyGoogleError(
      'gemini',
      Object.assign(new Error(JSON.stringify(body)), { status: 429 }),
      'k',
    );
    expect(err).toMatchObject({ kind: 'rate-limited', retryAfterMs: 1500, status: 429 });
    expect(classifyGoogleError('gemini', new TypeError('fetch failed'), 'k').kind).toBe('transient');
  });
});
