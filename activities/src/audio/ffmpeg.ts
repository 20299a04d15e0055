import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseBuffer } from 'music-metadata';
import { runProgram as run } from '../launcher.ts';

const require = createRequire(import.meta.url);

export interface AudioTools {
  ffmpeg: string;
}

/** ffmpeg: an explicit path, else the binary shipped in the npm package, else the system one. */
export function ffmpegPaths(override: { ffmpeg?: string } = {}): AudioTools {
  return { ffmpeg: override.ffmpeg ?? shipped('@ffmpeg-installer/ffmpeg') ?? 'ffmpeg' };
}

function shipped(pkg: string): string | undefined {
  try {
    return (require(pkg) as { path: string }).path;
  } catch {
    return undefined;
  }
}

/** The one format every chunk is stored in, whatever the engine returned: WAV, 24 kHz, mono, 16-bit. */
export const CHUNK_RATE = 24_000;
const BYTES_PER_SECOND = CHUNK_RATE * 2;

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
  return Buffer.concat([wavHeader(samples.length), samples]);
}

/** The 44-byte header of a chunk-format WAV holding `dataBytes` of samples. */
function wavHeader(dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(CHUNK_RATE, 24);
  header.writeUInt32LE(CHUNK_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
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
  /** Silence after the chunk when the next one is in the same block (a paragraph's end), in ms. */
  pauseAfterMs?: number;
}

export interface NarrationPauses {
  /** Silence between blocks in ms, in place of the usual pause; 0 or none keeps that. */
  blockPauseMs?: number;
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

/** The silence after a chunk, in seconds: none after the last, a block's or a paragraph's, else a short one. */
function pauseAfter(
  chunk: NarrationChunk,
  next: NarrationChunk | undefined,
  pauses: NarrationPauses,
): number {
  if (!next) return 0;
  if (next.block !== chunk.block)
    return pauses.blockPauseMs ? pauses.blockPauseMs / 1000 : PAUSE_SECONDS.betweenBlocks;
  return chunk.pauseAfterMs ? chunk.pauseAfterMs / 1000 : PAUSE_SECONDS.withinBlock;
}

/**
 * Joins chunks in order into one MP3 (mono, 64 kbit/s is plenty for speech): short pauses between
 * chunks and longer ones between blocks (or the ones asked for), loudness normalised, ID3 tags and one
 * chapter per block.
 *
 * The chunks and their pauses are joined here (they share one format), then ffmpeg makes two passes: the
 * first measures the integrated loudness (EBU R128); the second applies the one gain that brings it to
 * the target, a limiter for the peaks, and encodes. A linear gain keeps the narration's dynamics and
 * costs a fraction of ffmpeg's dynamic `loudnorm`. The duration is read from the MP3's own header.
 */
export async function assembleNarration(
  tools: AudioTools,
  chunks: NarrationChunk[],
  blockTitles: string[],
  tags: NarrationTags,
  pauses: NarrationPauses = {},
): Promise<AssembledNarration> {
  const timeline: AssembledNarration['timeline'] = [];
  const parts: Buffer[] = [];
  let at = 0;
  for (const [i, chunk] of chunks.entries()) {
    const samples = await chunkSamples(tools, chunk.wav);
    const duration = samples.length / BYTES_PER_SECOND;
    const pause = pauseAfter(chunk, chunks[i + 1], pauses);
    parts.push(samples, Buffer.alloc(Math.round(pause * CHUNK_RATE) * 2)); // zeros: 16-bit silence
    timeline.push({ start: at, duration });
    at += duration + pause;
  }
  const chapters = chaptersOf(chunks, timeline, blockTitles, at);
  return inTempDir(async (dir) => {
    const joined = path.join(dir, 'joined.wav');
    const dataBytes = parts.reduce((n, p) => n + p.length, 0);
    await fs.writeFile(joined, [wavHeader(dataBytes), ...parts]);
    // biome-ignore format: one ffmpeg flag and its value per line reads best
    const { stderr } = await run(tools.ffmpeg, [
      '-hide_banner', '-nostats', '-loglevel', 'info',
      '-i', joined,
      '-af', 'ebur128=framelog=verbose',
      '-f', 'null', '-',
    ]);
    const gain = gainTo(LOUDNESS.integrated, integratedLoudness(stderr));
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
    const mp3 = await fs.readFile(out);
    return { mp3, durationSeconds: await mp3Duration(mp3), timeline, chapters };
  });
}

/** A chunk's 16-bit samples at CHUNK_RATE (anything else in a chunk's place is converted first). */
async function chunkSamples(tools: AudioTools, wav: Buffer): Promise<Buffer> {
  const samples = readWav(await toWav(tools, wav, 'wav'))?.data;
  if (!samples) throw new Error('a narration chunk is not a WAV file');
  return samples;
}

/** Seconds of an MP3, from its own header (LAME's frame count), as players read it. */
async function mp3Duration(mp3: Buffer): Promise<number> {
  const { format } = await parseBuffer(mp3, { mimeType: 'audio/mpeg' }, { duration: true, skipCovers: true });
  if (format.duration === undefined) throw new Error('the encoded MP3 has no readable duration');
  return format.duration;
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
