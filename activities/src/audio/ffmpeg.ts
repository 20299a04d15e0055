import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** ffmpeg/ffprobe: an explicit path, else the binary shipped in the npm package, else the system one. */
export function ffmpegPaths(override: { ffmpeg?: string; ffprobe?: string } = {}) {
  return {
    ffmpeg: override.ffmpeg ?? shipped('@ffmpeg-installer/ffmpeg') ?? 'ffmpeg',
    ffprobe: override.ffprobe ?? shipped('@ffprobe-installer/ffprobe') ?? 'ffprobe',
  };
}

function shipped(pkg: string): string | undefined {
  try {
    return (require(pkg) as { path: string }).path;
  } catch {
    return undefined;
  }
}

export interface AudioTools {
  ffmpeg: string;
  ffprobe: string;
}

/** Duration in seconds, measured from the file itself. */
export async function probeDuration(tools: AudioTools, file: string): Promise<number> {
  const { stdout } = await run(tools.ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'default=noprint_wrappers=1:nokey=1',
    file,
  ]);
  const seconds = Number.parseFloat(stdout.trim());
  if (!Number.isFinite(seconds))
    throw new Error(`ffprobe could not read a duration from ${path.basename(file)}`);
  return seconds;
}

/** The one format every chunk is stored in, whatever the engine returned: WAV, 24 kHz, mono, 16-bit. */
export const CHUNK_RATE = 24_000;

interface Wav {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  data: Buffer;
}

/** The format and samples of a RIFF/WAVE file, or undefined when the bytes are not one. */
export function readWav(audio: Buffer): Wav | undefined {
  if (
    audio.length < 12 ||
    audio.toString('ascii', 0, 4) !== 'RIFF' ||
    audio.toString('ascii', 8, 12) !== 'WAVE'
  )
    return undefined;
  let fmt: Omit<Wav, 'data'> | undefined;
  for (let at = 12; at + 8 <= audio.length; ) {
    const id = audio.toString('ascii', at, at + 4);
    const size = audio.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && body + 16 <= audio.length)
      fmt = {
        format: audio.readUInt16LE(body),
        channels: audio.readUInt16LE(body + 2),
        sampleRate: audio.readUInt32LE(body + 4),
        bitsPerSample: audio.readUInt16LE(body + 14),
      };
    // Streamed WAVs may say 0 or 0xFFFFFFFF for the data size: the samples run to the end.
    if (id === 'data' && fmt)
      return { ...fmt, data: audio.subarray(body, Math.min(audio.length, body + size)) };
    at = body + size + (size % 2);
  }
  return undefined;
}

/** A chunk-format WAV (44-byte header) around 16-bit mono samples at CHUNK_RATE. */
function chunkWav(samples: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(CHUNK_RATE, 24);
  header.writeUInt32LE(CHUNK_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

/** Seconds of audio in a chunk-format WAV, from its header. */
export function chunkSeconds(wav: Buffer): number {
  const parsed = readWav(wav);
  if (!parsed) throw new Error('not a WAV file');
  return parsed.data.length / (parsed.sampleRate * parsed.channels * (parsed.bitsPerSample / 8));
}

/**
 * Converts an engine's audio (WAV, MP3 or raw 16-bit PCM at `sampleRate`) to the chunk format. Audio
 * already in that format (what Google, Gemini and OpenAI return at 24 kHz) only gets a fresh header;
 * anything else goes through ffmpeg.
 */
export async function toWav(
  tools: AudioTools,
  audio: Buffer,
  format: 'wav' | 'mp3' | 'pcm',
  sampleRate = CHUNK_RATE,
): Promise<Buffer> {
  if (format === 'pcm' && sampleRate === CHUNK_RATE) return chunkWav(audio);
  const wav = format === 'wav' ? readWav(audio) : undefined;
  if (wav?.format === 1 && wav.channels === 1 && wav.bitsPerSample === 16 && wav.sampleRate === CHUNK_RATE)
    return chunkWav(wav.data);
  return inTempDir(async (dir) => {
    const input = path.join(dir, `in.${format}`);
    const output = path.join(dir, 'out.wav');
    await fs.writeFile(input, audio);
    const raw = format === 'pcm' ? ['-f', 's16le', '-ar', String(sampleRate), '-ac', '1'] : [];
    // biome-ignore format: one ffmpeg flag and its value per line reads best
    await run(tools.ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      ...raw, '-i', input,
      '-ar', String(CHUNK_RATE), '-ac', '1', '-c:a', 'pcm_s16le',
      '-map_metadata', '-1', '-fflags', '+bitexact',
      output,
    ]);
    return fs.readFile(output);
  });
}

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bolt-audio-'));
  try {
    return await work(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export interface NarrationTags {
  title: string;
  artist: string;
  language: string;
}

export interface NarrationChunk {
  wav: Buffer;
  /** The script block the chunk belongs to: a chapter per block, a longer pause between blocks. */
  block: number;
}

export interface AssembledNarration {
  mp3: Buffer;
  durationSeconds: number;
  /** Where each chunk starts and how long it lasts in the MP3, in seconds (measured, not estimated). */
  timeline: Array<{ start: number; duration: number }>;
  /** One per block, as written into the MP3's ID3 chapter frames. */
  chapters: Chapter[];
}

export interface Chapter {
  start: number;
  end: number;
  title: string;
}

const PAUSE_SECONDS = { withinBlock: 0.3, betweenBlocks: 0.9 };
/** Spoken-word podcasts and narration: −16 LUFS integrated, sample peaks under −1.5 dBFS. */
const LOUDNESS = { integrated: -16, peak: 10 ** (-1.5 / 20) };
/** Quieter than this is silence (or nearly): it is left as it is rather than amplified. */
const SILENCE_LUFS = -60;

/** ffmetadata values escape `=`, `;`, `#`, `\` and newlines with a backslash. */
const metaValue = (v: string) => v.replace(/[=;#\\\n]/g, (c) => `\\${c}`);

/**
 * Joins chunks in order into one MP3 (mono, 64 kbit/s is plenty for speech): short pauses between
 * chunks and longer ones between blocks, loudness normalised, ID3 tags and one chapter per block.
 *
 * Two passes: the first joins the chunks and measures their integrated loudness (EBU R128); the second
 * applies the one gain that brings it to the target, a limiter for the peaks, and encodes. A linear
 * gain keeps the narration's dynamics and costs a fraction of ffmpeg's dynamic `loudnorm`.
 */
export async function assembleNarration(
  tools: AudioTools,
  chunks: NarrationChunk[],
  blockTitles: string[],
  tags: NarrationTags,
): Promise<AssembledNarration> {
  return inTempDir(async (dir) => {
    const inputs: string[] = [];
    const timeline: AssembledNarration['timeline'] = [];
    const pads: string[] = [];
    let at = 0;
    for (const [i, chunk] of chunks.entries()) {
      const file = path.join(dir, `chunk-${i}.wav`);
      await fs.writeFile(file, chunk.wav);
      inputs.push('-i', file);
      const duration = chunkSeconds(chunk.wav);
      const last = i === chunks.length - 1;
      const pause = last
        ? 0
        : chunks[i + 1]?.block === chunk.block
          ? PAUSE_SECONDS.withinBlock
          : PAUSE_SECONDS.betweenBlocks;
      pads.push(`[${i}:a]apad=pad_len=${Math.round(pause * CHUNK_RATE)}[a${i}]`);
      timeline.push({ start: at, duration });
      at += duration + pause;
    }
    const joined = path.join(dir, 'joined.wav');
    const concat = `${chunks.map((_, i) => `[a${i}]`).join('')}concat=n=${chunks.length}:v=0:a=1,ebur128=framelog=verbose[out]`;
    // biome-ignore format: one ffmpeg flag and its value per line reads best
    const { stderr } = await run(tools.ffmpeg, [
      '-hide_banner', '-nostats', '-loglevel', 'info', '-y',
      ...inputs,
      '-filter_complex', [...pads, concat].join(';'),
      '-map', '[out]', '-c:a', 'pcm_s16le',
      joined,
    ]);
    const gain = gainTo(LOUDNESS.integrated, integratedLoudness(stderr));
    const chapters = chaptersOf(chunks, timeline, blockTitles, at);
    const meta = path.join(dir, 'meta.txt');
    await fs.writeFile(meta, ffmetadata(chapters, tags));
    const out = path.join(dir, 'out.mp3');
    // biome-ignore format: one ffmpeg flag and its value per line reads best
    await run(tools.ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-i', joined,
      '-f', 'ffmetadata', '-i', meta,
      '-af', `volume=${gain.toFixed(2)}dB,alimiter=limit=${LOUDNESS.peak.toFixed(3)}:level=0`,
      '-map_metadata', '1', '-map_chapters', '1',
      // LAME's quality 7 encodes speech at 64 kbit/s as well as its default, in two thirds of the time.
      '-c:a', 'libmp3lame', '-b:a', '64k', '-compression_level', '7', '-ac', '1',
      '-id3v2_version', '3',
      out,
    ]);
    const durationSeconds = await probeDuration(tools, out);
    return { mp3: await fs.readFile(out), durationSeconds, timeline, chapters };
  });
}

/** The integrated loudness from the summary ffmpeg's `ebur128` filter prints when it ends. */
function integratedLoudness(log: string): number {
  const value = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(log.split('Summary:').at(-1) ?? '')?.[1];
  if (value === undefined) throw new Error('ffmpeg printed no loudness summary');
  return value === '-inf' ? Number.NEGATIVE_INFINITY : Number(value);
}

/** The gain in dB from a measured loudness to the target; silence gets none. */
const gainTo = (target: number, measured: number) => (measured > SILENCE_LUFS ? target - measured : 0);

/** One chapter per block, from its first chunk to the start of the next block. */
function chaptersOf(
  chunks: NarrationChunk[],
  timeline: AssembledNarration['timeline'],
  blockTitles: string[],
  total: number,
): Chapter[] {
  const starts = new Map<number, number>();
  for (const [i, c] of chunks.entries())
    if (!starts.has(c.block)) starts.set(c.block, timeline[i]?.start ?? 0);
  const blocks = [...starts.entries()];
  return blocks.map(([block, start], n) => ({
    start,
    end: blocks[n + 1]?.[1] ?? total,
    title: blockTitles[block] ?? `Block ${block + 1}`,
  }));
}

function ffmetadata(chapters: Chapter[], tags: NarrationTags): string {
  const lines = [
    ';FFMETADATA1',
    `title=${metaValue(tags.title)}`,
    `artist=${metaValue(tags.artist)}`,
    `language=${metaValue(tags.language)}`,
  ];
  for (const c of chapters) {
    lines.push(
      '[CHAPTER]',
      'TIMEBASE=1/1000',
      `START=${Math.round(c.start * 1000)}`,
      `END=${Math.round(c.end * 1000)}`,
      `title=${metaValue(c.title)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
