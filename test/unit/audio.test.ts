import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assembleNarration, CHUNK_RATE, chunkSeconds, ffmpegPaths, readWav, toWav } from '@bolt/activities';
import { afterAll, describe, expect, it } from 'vitest';
import { ffprobe, probeSeconds } from '../support/ffprobe.ts';

const tools = ffmpegPaths();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-audio-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A tone rendered by ffmpeg itself, in any container and rate. */
function tone(
  name: string,
  seconds: number,
  options: { rate: number; volume: number; args?: string[] },
): Buffer {
  const file = path.join(dir, name);
  // biome-ignore format: one ffmpeg flag and its value per line reads best
  execFileSync(tools.ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `sine=frequency=330:sample_rate=${options.rate}:duration=${seconds}`,
    '-af', `volume=${options.volume}`, '-ac', '1', ...(options.args ?? ['-c:a', 'pcm_s16le']),
    file,
  ]);
  return fs.readFileSync(file);
}

/** Integrated loudness of a file by ffmpeg's EBU R128 meter. */
function loudness(file: string): number {
  const log = spawnSync(
    tools.ffmpeg,
    ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128', '-f', 'null', '-'],
    {
      encoding: 'utf8',
    },
  ).stderr;
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(log.split('Summary:').at(-1) ?? '')?.[1]);
}

describe('chunk audio', () => {
  it('keeps 24 kHz mono 16-bit WAV samples as they are, with the same header ffmpeg writes', async () => {
    const source = tone('native.wav', 1.5, { rate: CHUNK_RATE, volume: 0.5 });
    const wav = await toWav(tools, source, 'wav');
    const parsed = readWav(wav);
    expect(parsed).toMatchObject({ format: 1, channels: 1, sampleRate: CHUNK_RATE, bitsPerSample: 16 });
    expect(parsed?.data.equals(readWav(source)?.data ?? Buffer.alloc(0))).toBe(true);
    expect(wav.length).toBe(44 + 1.5 * CHUNK_RATE * 2);
    expect(chunkSeconds(wav)).toBeCloseTo(1.5, 6);
    // Raw PCM at the chunk rate gets the same header.
    const pcm = await toWav(tools, parsed?.data ?? Buffer.alloc(0), 'pcm', CHUNK_RATE);
    expect(pcm.equals(wav)).toBe(true);
  });

  it('converts other rates, channels and MP3 through ffmpeg to the chunk format', async () => {
    for (const [name, args] of [
      ['hifi.wav', ['-c:a', 'pcm_s16le', '-ar', '44100']],
      ['speech.mp3', ['-c:a', 'libmp3lame', '-b:a', '64k']],
    ] as const) {
      const source = tone(name, 2, { rate: 44_100, volume: 0.5, args: [...args] });
      const wav = await toWav(tools, source, name.endsWith('mp3') ? 'mp3' : 'wav');
      expect(readWav(wav)).toMatchObject({ channels: 1, sampleRate: CHUNK_RATE, bitsPerSample: 16 });
      expect(chunkSeconds(wav)).toBeCloseTo(2, 1);
    }
  });

  it('rejects bytes that are not a WAV file when asked for their length', () => {
    expect(readWav(Buffer.from('ID3 not a wave file'))).toBeUndefined();
    expect(() => chunkSeconds(Buffer.from('nothing'))).toThrow(/not a WAV/);
  });
});

describe('narration assembly', () => {
  it('joins quiet and loud chunks at −16 LUFS with pauses, chapters per block and measured times', async () => {
    const quiet = await toWav(tools, tone('quiet.wav', 3, { rate: CHUNK_RATE, volume: 0.05 }), 'wav');
    const loud = await toWav(tools, tone('loud.wav', 2, { rate: CHUNK_RATE, volume: 0.9 }), 'wav');
    const chunks = [
      { wav: quiet, block: 0 },
      { wav: loud, block: 0 },
      { wav: quiet, block: 1 },
    ];
    const result = await assembleNarration(tools, chunks, ['Opening', 'Ending'], {
      title: 'A; title = with # signs',
      artist: 'Bolt',
      language: 'en-US',
    });
    expect(result.timeline.map((t) => t.duration)).toEqual([3, 2, 3]);
    const ms = (seconds: number) => Math.round(seconds * 1000);
    expect(result.timeline.map((t) => ms(t.start))).toEqual([0, 3300, 6200]);
    expect(result.chapters.map((c) => [c.title, ms(c.start)])).toEqual([
      ['Opening', 0],
      ['Ending', 6200],
    ]);
    const file = path.join(dir, 'narration.mp3');
    fs.writeFileSync(file, result.mp3);
    // The MP3's own length: the 9.2 s of audio plus LAME's encoder delay and the last frame's padding.
    expect(result.durationSeconds).toBeGreaterThanOrEqual(9.2);
    expect(result.durationSeconds).toBeLessThan(9.2 + (1105 + 576) / CHUNK_RATE);
    expect(result.durationSeconds).toBeCloseTo(probeSeconds(file), 3);
    expect(loudness(file)).toBeCloseTo(-16, 0);
    const probe = JSON.parse(
      execFileSync(ffprobe, ['-v', 'error', '-show_chapters', '-show_format', '-of', 'json', file], {
        encoding: 'utf8',
      }),
    ) as { chapters: Array<{ tags: { title: string } }>; format: { tags: Record<string, string> } };
    expect(probe.chapters.map((c) => c.tags.title)).toEqual(['Opening', 'Ending']);
    expect(probe.format.tags.title).toBe('A; title = with # signs');
  });

  it('puts the pauses asked for after paragraphs and between blocks, and times chunks and chapters with them', async () => {
    const second = await toWav(tools, tone('second.wav', 1, { rate: CHUNK_RATE, volume: 0.3 }), 'wav');
    const chunks = [
      { wav: second, block: 0, pauseAfterMs: 1200 }, // ends a paragraph
      { wav: second, block: 0 },
      { wav: second, block: 0, pauseAfterMs: 1200 }, // ends the block: the block's pause applies
      { wav: second, block: 1, pauseAfterMs: 1200 }, // the last: nothing follows it
    ];
    const tags = { title: 'Pauses', artist: 'Bolt', language: 'en-US' };
    const ms = (seconds: number) => Math.round(seconds * 1000);
    const usual = await assembleNarration(
      tools,
      chunks.map(({ wav, block }) => ({ wav, block })),
      ['One', 'Two'],
      tags,
    );
    expect(usual.timeline.map((t) => ms(t.start))).toEqual([0, 1300, 2600, 4500]);
    const paused = await assembleNarration(tools, chunks, ['One', 'Two'], tags, { blockPauseMs: 2500 });
    expect(paused.timeline.map((t) => ms(t.start))).toEqual([0, 2200, 3500, 7000]);
    expect(paused.timeline.map((t) => ms(t.duration))).toEqual([1000, 1000, 1000, 1000]);
    expect(paused.chapters.map((c) => [c.title, ms(c.start), ms(c.end)])).toEqual([
      ['One', 0, 7000],
      ['Two', 7000, 8000],
    ]);
    // 0.9 s more after the paragraph (1.2 instead of 0.3) and 1.6 s more between the blocks (2.5 for 0.9).
    expect(paused.durationSeconds - usual.durationSeconds).toBeCloseTo(2.5, 1);
  });

  it('leaves silence silent instead of amplifying it', async () => {
    const silence = await toWav(tools, tone('silence.wav', 2, { rate: CHUNK_RATE, volume: 0 }), 'wav');
    const result = await assembleNarration(tools, [{ wav: silence, block: 0 }], ['Only'], {
      title: 'Silence',
      artist: 'Bolt',
      language: 'en-US',
    });
    const file = path.join(dir, 'silence.mp3');
    fs.writeFileSync(file, result.mp3);
    const peak = spawnSync(
      tools.ffmpeg,
      ['-hide_banner', '-i', file, '-af', 'volumedetect', '-f', 'null', '-'],
      {
        encoding: 'utf8',
      },
    ).stderr;
    expect(peak).toMatch(/max_volume: -(9[0-9]|inf)/);
  });
});
