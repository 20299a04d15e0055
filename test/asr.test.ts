import {
  ffmpegPaths,
  GeminiTranscriber,
  GeminiTtsProvider,
  GoogleTtsProvider,
  OpenAiTranscriber,
  OpenAiTtsProvider,
  ProviderError,
  type Transcriber,
  type TtsProvider,
  type TtsRequest,
  toWav,
  wordErrorRate,
} from '@bolt/activities';
import { voiceSettingsSchema } from '@bolt/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';

let fake: FakeProviders;
const tools = ffmpegPaths();

beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => fake.clearFaults());

const KEY = 'valid-test-key-1234567890';
const transcribers: Array<[string, (apiKey?: string) => Transcriber]> = [
  ['Gemini', (apiKey = KEY) => new GeminiTranscriber({ apiKey, baseUrl: fake.url })],
  ['OpenAI', (apiKey = KEY) => new OpenAiTranscriber({ apiKey, baseUrl: `${fake.url}/v1` })],
];

const text =
  'A ponte de Alcântara foi construída pelos romanos há quase dois mil anos.\n\n' +
  'Ninguém sabe ao certo quantos homens trabalharam nela, nem quantos morreram.';
const language = 'pt-BR';

/** A chunk as Bolt stores it: the engine's answer converted to WAV 24 kHz mono 16-bit. */
async function chunk(tts: TtsProvider, req: Omit<TtsRequest, 'text' | 'language'> = {}): Promise<Buffer> {
  const res = await tts.synthesize({ text, language, ...req });
  return toWav(tools, res.audio, res.format, res.sampleRate);
}

const speechEngines: Array<[string, () => Promise<Buffer>]> = [
  // A paragraph pause makes it SSML, whose tags and entities are not heard.
  [
    'Google Cloud TTS (SSML)',
    () =>
      chunk(new GoogleTtsProvider({ apiKey: KEY, baseUrl: fake.url }), {
        voice: 'pt-BR-Wavenet-A',
        settings: voiceSettingsSchema.parse({ paragraph_pause_ms: 600 }),
      }),
  ],
  // A faster rate puts a spoken direction before the text, which is not read out.
  [
    'Gemini TTS (with a direction)',
    () =>
      chunk(new GeminiTtsProvider({ apiKey: KEY, baseUrl: fake.url }), {
        settings: voiceSettingsSchema.parse({ rate: 1.6 }),
      }),
  ],
  ['OpenAI TTS', () => chunk(new OpenAiTtsProvider({ apiKey: KEY, baseUrl: `${fake.url}/v1` }))],
];

describe('transcribing speech chunks', () => {
  for (const [engine, synthesize] of speechEngines) {
    for (const [label, transcriber] of transcribers) {
      it(`${label} hears exactly what ${engine} said`, async () => {
        const audio = await synthesize();
        const { text: heard } = await transcriber().transcribe({ audio, language });
        expect(wordErrorRate(text, heard)).toBe(0);
        expect(fake.requests.at(-1)).toMatchObject({ paid: true, completed: true, status: 200 });
      });
    }
  }

  for (const [label, transcriber] of transcribers) {
    it(`${label} hears nothing in audio that no engine made`, async () => {
      const noise = await toWav(tools, Buffer.alloc(48_000, 7), 'pcm');
      expect(await transcriber().transcribe({ audio: noise, language })).toEqual({ text: '' });
    });

    it(`${label}: the drop-words fault loses words, and only transcriptions meet it`, async () => {
      fake.inject({ kind: 'drop-words' });
      const audio = await speechEngines[2]?.[1]();
      if (!audio) throw new Error('no speech engine');
      expect(fake.requests.at(-1)?.fault).toBeUndefined();
      const { text: heard } = await transcriber().transcribe({ audio, language });
      expect(fake.requests.at(-1)?.fault).toBe('drop-words');
      expect(wordErrorRate(text, heard)).toBeGreaterThan(0.25);
      // The next transcription is whole again.
      expect(wordErrorRate(text, (await transcriber().transcribe({ audio, language })).text)).toBe(0);
    });

    it(`${label}: an invalid key is a classified error`, async () => {
      const audio = await toWav(tools, Buffer.alloc(4_800), 'pcm');
      const err = await transcriber('wrong-key')
        .transcribe({ audio, language })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'invalid-key', provider: label.toLowerCase() });
      expect((err as Error).message).not.toContain('wrong-key');
    });
  }
});
