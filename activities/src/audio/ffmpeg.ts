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

export interface Mp3Tags {
  title: string;
  artist: string;
  language: string;
}

/**
 * Joins audio chunks in order into one MP3 (mono, 64 kbit/s is plenty for speech), with a short pause
 * between chunks, and returns the MP3 bytes and its measured duration.
 */
export async function assembleMp3(
  tools: AudioTools,
  chunks: Buffer[],
  tags: Mp3Tags,
  pauseSeconds = 0.35,
): Promise<{ mp3: Buffer; durationSeconds: number }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bolt-audio-'));
  try {
    const inputs: string[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const file = path.join(dir, `chunk-${i}.wav`);
      await fs.writeFile(file, chunk);
      inputs.push('-i', file);
    }
    const rate = 22050;
    const pad = Math.round(pauseSeconds * rate);
    const pads = chunks.map(
      (_, i) => `[${i}:a]aresample=${rate},aformat=channel_layouts=mono,apad=pad_len=${pad}[a${i}]`,
    );
    const joined = `${chunks.map((_, i) => `[a${i}]`).join('')}concat=n=${chunks.length}:v=0:a=1[out]`;
    const out = path.join(dir, 'out.mp3');
    // biome-ignore format: one ffmpeg flag and its value per line reads best
    await run(tools.ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      ...inputs,
      '-filter_complex', [...pads, joined].join(';'),
      '-map', '[out]',
      '-c:a', 'libmp3lame', '-b:a', '64k',
      '-id3v2_version', '3',
      '-metadata', `title=${tags.title}`,
      '-metadata', `artist=${tags.artist}`,
      '-metadata', `language=${tags.language}`,
      out,
    ]);
    return { mp3: await fs.readFile(out), durationSeconds: await probeDuration(tools, out) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
