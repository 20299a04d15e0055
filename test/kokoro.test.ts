import {
  checkPace,
  chunkSeconds,
  EspeakTtsProvider,
  ffmpegPaths,
  KokoroTtsProvider,
  kokoroFiles,
  measureChunk,
} from '@bolt/activities';
import { loadConfig, type VoiceSettings } from '@bolt/core';
import { describe, expect, it } from 'vitest';

const config = loadConfig({});
const espeak = new EspeakTtsProvider(config.ESPEAK_PATH);
const kokoro = new KokoroTtsProvider(espeak, () => kokoroFiles(config.BOLT_CACHE_DIR));
const tools = ffmpegPaths();
const settings = (rate: number): VoiceSettings => ({
  rate,
  pitch: 0,
  gain_db: 0,
  block_pause_ms: 0,
  paragraph_pause_ms: 0,
});

/** Speech for the text, checked as a narration chunk is: its length must fit the text, at a human pace. */
async function spoken(text: string, language: string, voice?: string, rate = 1) {
  const res = await kokoro.synthesize({ text, language, voice, settings: settings(rate) });
  expect(res.format).toBe('wav');
  const audio = await measureChunk(tools, res.audio);
  expect(checkPace(text, audio)).toMatchObject({ verdict: 'pass' });
  expect(audio.loudnessLufs).not.toBeNull();
  return { wav: res.audio, seconds: chunkSeconds(res.audio) };
}

describe('Kokoro, the neural offline voice (real model, CPU)', () => {
  it('speaks the languages it covers with its own voices, at a human pace', async () => {
    const en = await spoken('The lighthouse keeper climbed the stairs one last time.', 'en-US');
    const pt = await spoken('O faroleiro subiu a escada pela última vez.', 'pt-BR', 'pm_alex');
    expect(en.wav.equals(pt.wav)).toBe(false);
    expect(await kokoro.listVoices('pt-BR')).toEqual([
      { name: 'pf_dora', languages: ['pt-BR'], gender: 'female' },
      { name: 'pm_alex', languages: ['pt-BR'], gender: 'male' },
    ]);
    // A bare language is spoken as its first listed region.
    expect((await kokoro.listVoices('en')).map((v) => v.name)).toContain('af_heart');
  }, 120_000);

  it('takes the rate as its speed: faster speech is shorter', async () => {
    const sentence = 'Every night the lamp turned, and every night the ships came home.';
    const normal = await spoken(sentence, 'en-US');
    const fast = await spoken(sentence, 'en-US', undefined, 1.5);
    expect(fast.seconds).toBeLessThan(normal.seconds * 0.8);
    expect(kokoro.voiceParams({ text: sentence, language: 'en-US', settings: settings(1.5) })).toEqual({
      speed: 1.5,
    });
    expect(kokoro.voiceParams({ text: sentence, language: 'en-US', settings: settings(3) })).toEqual({
      speed: 2,
    });
    expect(kokoro.voiceParams({ text: sentence, language: 'en-US', settings: settings(1) })).toEqual({});
  }, 120_000);

  it('leaves the languages it lacks to espeak-ng, and names its voices for those it speaks', async () => {
    const text = 'Der Leuchtturmwärter stieg ein letztes Mal die Treppe hinauf.';
    const de = await kokoro.synthesize({ text, language: 'de-DE' });
    const byEspeak = await espeak.synthesize({ text, language: 'de-DE' });
    expect(de.audio.equals(byEspeak.audio)).toBe(true);
    expect(await kokoro.listVoices('de-DE')).toEqual(await espeak.listVoices('de-DE'));
    expect(kokoro.voiceParams({ text, language: 'de-DE', settings: settings(2) })).toEqual({ s: 350 });
    // A voice Kokoro lacks, for a language it speaks, is an error naming the voices it has.
    await expect(kokoro.synthesize({ text: 'Olá.', language: 'pt-BR', voice: 'pt-br' })).rejects.toThrow(
      'Kokoro has no voice "pt-br" for pt-BR: pf_dora, pm_alex',
    );
  }, 120_000);
});
