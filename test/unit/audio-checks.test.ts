import { execFileSync } from 'node:child_process';
import {
  type AudioCheck,
  CHUNK_RATE,
  type ChunkAudio,
  checkChunk,
  checkNarrationAudio,
  ffmpegPaths,
  measureChunk,
  toWav,
} from '@bolt/activities';
import { describe, expect, it } from 'vitest';

const tools = ffmpegPaths();

/** A piece of a test chunk: a 220 Hz tone at a gain in dB over its −18 dBFS default, or silence. */
type Part = { tone: number; gain?: number } | { silence: number };

/** A chunk-format WAV (24 kHz, mono, 16-bit) of the parts in order, rendered by ffmpeg's lavfi sources. */
function chunk(...parts: Part[]): Buffer {
  const sources = parts.map((p, i) =>
    'tone' in p
      ? `sine=frequency=220:sample_rate=${CHUNK_RATE}:duration=${p.tone},volume=${p.gain ?? 12}dB[p${i}]`
      : `anullsrc=sample_rate=${CHUNK_RATE}:channel_layout=mono,atrim=duration=${p.silence}[p${i}]`,
  );
  const joined = `${parts.map((_, i) => `[p${i}]`).join('')}concat=n=${parts.length}:v=0:a=1`;
  // biome-ignore format: one ffmpeg flag and its value per line reads best
  return execFileSync(tools.ffmpeg, [
    '-hide_banner', '-loglevel', 'error',
    '-filter_complex', `${sources.join(';')};${joined}`,
    '-ar', String(CHUNK_RATE), '-ac', '1', '-c:a', 'pcm_s16le', '-bitexact', '-f', 'wav', '-',
  ]);
}

const measure = (...parts: Part[]) => measureChunk(tools, chunk(...parts));

/**
 * Pink noise 3.4 dB past full scale, encoded as MP3 and converted to a chunk as an engine's MP3 is:
 * clipped when decoded to 16 bits, without the flat runs of clipped WAV.
 */
async function clippedMp3(): Promise<ChunkAudio> {
  // biome-ignore format: one ffmpeg flag and its value per line reads best
  const mp3 = execFileSync(tools.ffmpeg, [
    '-hide_banner', '-loglevel', 'error',
    // Seeded pink noise at amplitude 0.5 peaks at −8.6 dBFS.
    '-f', 'lavfi', '-i', `anoisesrc=sample_rate=44100:duration=3:amplitude=0.5:color=pink:seed=1,volume=12dB`,
    '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', '-',
  ]);
  return measureChunk(tools, await toWav(tools, mp3, 'mp3'));
}

const check = (checks: AudioCheck[], name: AudioCheck['name']) => checks.find((c) => c.name === name);
/** 48 letters: 16 a second over 3 s, a brisk narrator. */
const sentence = 'The ferryman looked at the river and called his neighbors';

describe('measuring a speech chunk', () => {
  it('finds the silence runs, leading and trailing ones included, and the loudness', async () => {
    const audio = await measure({ silence: 0.5 }, { tone: 2 }, { silence: 4 }, { tone: 1 }, { silence: 1.2 });
    expect(audio.seconds).toBeCloseTo(8.7, 3);
    // silencedetect's times are a sample or so off.
    const tenths = (t: number) => Math.round(t * 10) / 10;
    expect(audio.silences.map((r) => [tenths(r.start), tenths(r.end)])).toEqual([
      [0, 0.5],
      [2.5, 6.5],
      [7.5, 8.7],
    ]);
    expect(audio.loudnessLufs).toBeGreaterThan(-14);
    expect(audio.loudnessLufs).toBeLessThan(-8);
    expect(audio.peakDb).toBeCloseTo(-6.1, 1);
    expect(audio.flatFactor).toBe(0);
  });

  it('measures silence and audio too short to gate without failing', async () => {
    const silent = await measure({ silence: 2 });
    expect(silent).toMatchObject({ seconds: 2, loudnessLufs: null, peakDb: null });
    expect(silent.silences).toEqual([{ start: 0, end: 2 }]);
    const short = await measure({ tone: 0.2 });
    expect(short.loudnessLufs).toBeNull();
    expect(short.peakDb).toBeCloseTo(-6.1, 1);
    const empty = await measureChunk(tools, await toWav(tools, Buffer.alloc(0), 'pcm'));
    expect(empty).toMatchObject({ seconds: 0, silences: [], loudnessLufs: null, peakDb: null });
    expect(checkChunk('Hello there.', empty).map((c) => c.verdict)).toEqual(['fail', 'fail', 'pass']);
  });
});

describe('checks of a speech chunk', () => {
  it('pass the pace of speech, and fail audio far too short or too long for its text', async () => {
    const ok = checkChunk(sentence, await measure({ silence: 0.4 }, { tone: 3 }, { silence: 0.4 }));
    expect(check(ok, 'pace')).toMatchObject({ verdict: 'pass', detail: '16.0 characters a second' });
    const fast = checkChunk('word '.repeat(50), await measure({ tone: 1 }));
    expect(check(fast, 'pace')).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/^200\.0 /) });
    const slow = checkChunk('one two three four five six', await measure({ tone: 12 }));
    expect(check(slow, 'pace')).toMatchObject({
      verdict: 'fail',
      detail: '1.8 characters a second: too slow for speech, noise or repeats?',
    });
    // A word or two is not timed against the slow bound: the padding around it weighs as much.
    expect(check(checkChunk('Yes.', await measure({ tone: 2 })), 'pace')?.verdict).toBe('pass');
  });

  it('warn of a long pause, fail a longer one, and leave trailing silence alone', async () => {
    // Silence at the end is the engine's padding: neither a pause nor speech.
    const trailing = checkChunk(sentence, await measure({ tone: 3 }, { silence: 2 }));
    expect(check(trailing, 'silence')).toMatchObject({
      verdict: 'pass',
      detail: '2.0 s of silence at the end',
    });
    expect(check(trailing, 'pace')?.detail).toBe('16.0 characters a second');
    const pause = checkChunk(sentence, await measure({ tone: 3 }, { silence: 2 }, { tone: 3 }));
    expect(check(pause, 'silence')).toMatchObject({
      verdict: 'warn',
      detail: 'longest pause 2.0 s at 3.0 s',
    });
    const gap = checkChunk(sentence, await measure({ tone: 3 }, { silence: 4 }, { tone: 3 }));
    expect(check(gap, 'silence')).toMatchObject({ verdict: 'fail', detail: 'longest pause 4.0 s at 3.0 s' });
  });

  it('fail a chunk that is mostly silence', async () => {
    const checks = checkChunk('Yes.', await measure({ silence: 1.5 }, { tone: 1 }, { silence: 1.5 }));
    expect(check(checks, 'silence')).toMatchObject({ verdict: 'fail', detail: '3.0 of 4.0 s silent' });
  });

  it('fail clipped audio, and pass the same tone with headroom', async () => {
    const clean = await measure({ tone: 1, gain: 12 });
    const clipped = await measure({ tone: 1, gain: 24 });
    expect(clipped.peakDb).toBeCloseTo(0, 2);
    expect(clipped.flatFactor).toBeGreaterThan(20);
    expect(check(checkChunk('Hi.', clean), 'clipping')).toMatchObject({
      verdict: 'pass',
      detail: 'peak -6.1 dBFS',
    });
    expect(check(checkChunk('Hi.', clipped), 'clipping')?.verdict).toBe('fail');
  });

  it('fail clipped audio that went through MP3, from how often it reaches full scale', async () => {
    const clipped = await clippedMp3();
    expect(clipped.flatFactor).toBeLessThan(6);
    expect(check(checkChunk('Hi.', clipped), 'clipping')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringMatching(/^clipped: \d+ samples at full scale$/),
    });
  });

  it('warn of peaks at full scale that are not clipped', async () => {
    // −18.1 dBFS + 17.9 dB: a peak of −0.2 dBFS, every sample of it alone.
    const hot = await measure({ tone: 1, gain: 17.9 });
    expect(hot.flatFactor).toBe(0);
    expect(check(checkChunk('Hi.', hot), 'clipping')).toMatchObject({
      verdict: 'warn',
      detail: 'peak -0.2 dBFS, no headroom',
    });
  });
});

describe('checks of a narration', () => {
  const even = async (n: number) => {
    const audio = await measure({ tone: 3 });
    return Array.from({ length: n }, () => ({ text: sentence, audio }));
  };

  it('pass chunks of even pace and loudness', async () => {
    const report = checkNarrationAudio(await even(3));
    expect(report.verdict).toBe('pass');
    expect(report.checks).toEqual([
      { name: 'loudness', verdict: 'pass', detail: expect.stringMatching(/0\.0 LU apart$/) },
    ]);
  });

  it('fail a chunk spoken far faster than its siblings', async () => {
    const cut: { text: string; audio: ChunkAudio } = { text: sentence, audio: await measure({ tone: 1 }) };
    const report = checkNarrationAudio([...(await even(3)), cut]);
    expect(report.verdict).toBe('fail');
    expect(report.chunks.map((c) => c.verdict)).toEqual(['pass', 'pass', 'pass', 'fail']);
    expect(check(report.chunks[3]?.checks ?? [], 'pace')?.detail).toBe(
      "48.0 characters a second, 3.0× the narration's 16.0: cut short?",
    );
    // The same chunk with one sibling: no median to compare with, and 48 a second is still speech.
    expect(checkNarrationAudio([...(await even(1)), cut]).verdict).toBe('pass');
  });

  it('warn of and fail volume jumps between chunks, on the narration and the outlier', async () => {
    const at = async (gain: number) => ({ text: sentence, audio: await measure({ tone: 3, gain }) });
    const [normal, softer, quiet] = await Promise.all([at(12), at(6), at(0)]);
    const jump = checkNarrationAudio([normal, normal, softer]);
    expect(jump.checks[0]).toMatchObject({ name: 'loudness', verdict: 'warn' });
    expect(jump.checks[0]?.detail).toMatch(/6\.0 LU apart$/);
    expect(check(jump.chunks[2]?.checks ?? [], 'loudness')).toMatchObject({
      verdict: 'warn',
      detail: expect.stringMatching(/^6\.0 LU quieter than the narration's median/),
    });
    const drop = checkNarrationAudio([normal, quiet, normal, normal]);
    expect(drop.verdict).toBe('fail');
    expect(drop.checks[0]).toMatchObject({ name: 'loudness', verdict: 'fail' });
    expect(drop.chunks.map((c) => c.verdict)).toEqual(['pass', 'fail', 'pass', 'pass']);
  });
});
