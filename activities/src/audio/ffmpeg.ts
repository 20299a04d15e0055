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

/** Converts an engine's audio (WAV, MP3 or raw 16-bit PCM at `sampleRate`) to the chunk format. */
export async function toWav(
  tools: AudioTools,
  audio: Buffer,
  format: 'wav' | 'mp3' | 'pcm',
  sampleRate = CHUNK_RATE,
): Promise<Buffer> {
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
/** Loudness of spoken-word podcasts and narration: −16 LUFS integrated, peaks under −1.5 dBTP. */
const LOUDNESS = 'loudnorm=I=-16:TP=-1.5:LRA=11';

/** ffmetadata values escape `=`, `;`, `#`, `\` and newlines with a backslash. */
const metaValue = (v: string) => v.replace(/[=;#\\\n]/g, (c) => `\\${c}`);

/**
 * Joins chunks in order into one MP3 (mono, 64 kbit/s is plenty for speech): short pauses between
 * chunks and longer ones between blocks, loudness normalised, ID3 tags and one chapter per block.
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
      const duration = await probeDuration(tools, file);
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
    const chapters = chaptersOf(chunks, timeline, blockTitles, at);
    const meta = path.join(dir, 'meta.txt');
    await fs.writeFile(meta, ffmetadata(chapters, tags));
    const joined = `${chunks.map((_, i) => `[a${i}]`).join('')}concat=n=${chunks.length}:v=0:a=1,${LOUDNESS},aresample=${CHUNK_RATE}[out]`;
    const out = path.join(dir, 'out.mp3');
    // biome-ignore format: one ffmpeg flag and its value per line reads best
    await run(tools.ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      ...inputs,
      '-f', 'ffmetadata', '-i', meta,
      '-filter_complex', [...pads, joined].join(';'),
      '-map', '[out]',
      '-map_metadata', String(chunks.length), '-map_chapters', String(chunks.length),
      '-c:a', 'libmp3lame', '-b:a', '64k', '-ac', '1',
      '-id3v2_version', '3',
      out,
    ]);
    const durationSeconds = await probeDuration(tools, out);
    return { mp3: await fs.readFile(out), durationSeconds, timeline, chapters };
  });
}

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
