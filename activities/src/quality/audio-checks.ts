import { type Check, type Verdict, worstVerdict } from '@bolt/core';
import { type AudioTools, chunkSeconds } from '../audio/ffmpeg.ts';
import { runProgram as run } from '../launcher.ts';

/** What ffmpeg measures of one speech chunk. */
export interface ChunkAudio {
  seconds: number;
  /** Runs under −40 dBFS of 0.3 s or more, in order, those at the start and the end included. */
  silences: Array<{ start: number; end: number }>;
  /** Integrated loudness (EBU R128); null when too little of the chunk is loud enough to measure. */
  loudnessLufs: number | null;
  /** The highest sample, in dBFS; null when every sample is zero. */
  peakDb: number | null;
  /** 20·log10 of how long, on average, samples stay at the peak: 0 for single samples, 6 for pairs. */
  flatFactor: number;
  /** How many samples reach the peak. */
  peakCount: number;
}

export interface AudioCheck extends Check {
  name: 'pace' | 'silence' | 'clipping' | 'loudness';
}

export interface CheckedAudio {
  verdict: Verdict;
  checks: AudioCheck[];
}

export interface NarrationAudio extends CheckedAudio {
  /** Each chunk's checks, in the order given. */
  chunks: CheckedAudio[];
}

/** ebur128 prints this floor when no 400 ms block of the audio is loud enough to measure. */
const LOUDNESS_FLOOR = -70;
/** Below a 16-bit sample's smallest step (−90 dBFS): only zeros, printed as −inf or a huge negative. */
const DIGITAL_SILENCE_DB = -100;

/**
 * Silence runs, loudness and peaks of a WAV chunk, in one ffmpeg pass over it on standard input. The
 * ebur128 frame log goes out at the verbose level, under the info level asked for, so only its summary
 * is printed.
 */
export async function measureChunk(tools: AudioTools, wav: Buffer): Promise<ChunkAudio> {
  const seconds = chunkSeconds(wav);
  // biome-ignore format: one ffmpeg flag and its value per line reads best
  const { stderr } = await run(tools.ffmpeg, [
    '-hide_banner', '-nostats', '-loglevel', 'info',
    '-f', 'wav', '-i', 'pipe:0',
    '-af', 'silencedetect=noise=-40dB:d=0.3,astats,ebur128=framelog=verbose',
    '-f', 'null', '-',
  ], wav);
  const overall = stderr.split(/\] Overall$/m).at(-1) ?? '';
  const peakDb = stat(overall, 'Peak level dB');
  const flatFactor = stat(overall, 'Flat factor');
  const loudness = stat(stderr.split('Summary:').at(-1) ?? '', 'I');
  return {
    seconds,
    silences: silencesOf(stderr, seconds),
    loudnessLufs: loudness > LOUDNESS_FLOOR ? loudness : null,
    peakDb: peakDb > DIGITAL_SILENCE_DB ? peakDb : null,
    // −inf or nan when no run of peak samples ended: nothing flat.
    flatFactor: Number.isFinite(flatFactor) ? flatFactor : 0,
    peakCount: stat(overall, 'Peak count'),
  };
}

/** A `name: value` line of ffmpeg's log as a number: `-inf` as -Infinity, `nan` as NaN. */
function stat(log: string, name: string): number {
  const value = new RegExp(`^\\s*(?:\\[[^\\]]*\\] )?${name}:\\s+(\\S+)`, 'm').exec(log)?.[1];
  if (value === undefined) throw new Error(`ffmpeg printed no "${name}"`);
  return Number(value.replace(/inf$/i, 'Infinity'));
}

/**
 * silencedetect's runs. A run that lasts to the end may have no `silence_end` line (older ffmpeg), and
 * audio silent from its first sample may have no `silence_start` line.
 */
function silencesOf(log: string, seconds: number): ChunkAudio['silences'] {
  const runs: ChunkAudio['silences'] = [];
  let start: number | undefined;
  for (const [, kind, value, duration] of log.matchAll(
    /silence_(start|end): (\S+)(?: \| silence_duration: (\S+))?/g,
  )) {
    if (kind === 'start') start = Math.max(0, Number(value));
    else {
      const end = Math.min(seconds, Number(value));
      runs.push({ start: start ?? Math.max(0, end - Number(duration)), end });
      start = undefined;
    }
  }
  if (start !== undefined) runs.push({ start, end: seconds });
  return runs;
}

/** Spoken characters (letters and digits) a second. */
const PACE = {
  /** Slower than this, the audio holds more than the text: noise, a loop. Mandarin runs at 4–5. */
  min: 2,
  /** Faster than this, the audio holds less than the text: cut short. Brisk English runs at about 15. */
  max: 60,
  /** Against the narration's median: a chunk this far off is truncated or garbled. */
  relative: { min: 0.5, max: 2 },
  /** A word or two is too short to time: a pause before or after it weighs as much as the word. */
  minChars: 20,
};
/** Seconds of a pause inside a chunk. */
const PAUSE = { warn: 1.5, fail: 3 };
/** Silence an engine leaves at the start or the end of a chunk before it counts as a pause. */
const EDGE_PADDING = 1;
/** Within this of the chunk's start or end, a silence run is at its edge. */
const EDGE = 0.02;
const SILENT_SHARE_FAIL = 0.5;
/**
 * Clipping: samples held at full scale. Speech reaches its highest sample once or twice; clipped speech
 * stays there for runs of samples (flat factor 6 dB or more: runs of two on average) or, once a lossy
 * codec has rounded the runs off, comes back to it many times a second. Measured on 3 s test signals:
 * a sine at −6 dBFS, flat factor 0; the same sine 12 dB into clipping, 31 dB; pink noise 1.4 dB into
 * clipping, 8.4 dB; pink noise 3.4 dB over full scale through MP3, 5.2 dB but 104 samples a second at
 * full scale (29 at 2.4 dB over, 1.7 at 1 dB over).
 */
const CLIP = { peakDb: -0.1, flatFactor: 6, peaksPerSecond: 5 };
/** Peaks this close to full scale leave no headroom for the encoder. */
const HOT_PEAK_DB = -0.5;
/** Loudness in LU: the spread between chunks, and a chunk's distance from the median. */
const LOUDNESS = { warn: 4, fail: 8 };
/** Chunks with less speech are measured over a block or two of 400 ms: too few for a stable reading. */
const LOUDNESS_MIN_SPEECH = 1;

const spokenChars = (text: string) => text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;

const isEdge = (run: { start: number; end: number }, seconds: number) =>
  run.start <= EDGE || run.end >= seconds - EDGE;

/** Seconds from the end of the leading silence to the start of the trailing one. */
function speechSeconds({ seconds, silences }: ChunkAudio): number {
  const first = silences[0];
  const last = silences.at(-1);
  const from = first && first.start <= EDGE ? first.end : 0;
  const to = last && last.end >= seconds - EDGE ? last.start : seconds;
  return Math.max(0, to - from);
}

const paceOf = (text: string, audio: ChunkAudio) => {
  const speech = speechSeconds(audio);
  return speech > 0 ? spokenChars(text) / speech : undefined;
};

/** Spoken characters a second, within the bounds of human speech. */
export function checkPace(text: string, audio: ChunkAudio): AudioCheck {
  const pace = paceOf(text, audio);
  if (pace === undefined) return { name: 'pace', verdict: 'fail', detail: 'no speech heard' };
  const detail = `${pace.toFixed(1)} characters a second`;
  if (pace > PACE.max)
    return { name: 'pace', verdict: 'fail', detail: `${detail}: too fast for speech, cut short?` };
  if (pace < PACE.min && spokenChars(text) >= PACE.minChars)
    return { name: 'pace', verdict: 'fail', detail: `${detail}: too slow for speech, noise or repeats?` };
  return { name: 'pace', verdict: 'pass', detail };
}

/**
 * The longest pause, and how much of the chunk is silent. Silence at the start and the end counts only
 * beyond the padding engines leave there.
 */
export function checkSilence({ seconds, silences }: ChunkAudio): AudioCheck {
  if (seconds === 0) return { name: 'silence', verdict: 'fail', detail: 'no audio' };
  const silent = silences.reduce((n, r) => n + r.end - r.start, 0);
  if (silent / seconds > SILENT_SHARE_FAIL)
    return {
      name: 'silence',
      verdict: 'fail',
      detail: `${silent.toFixed(1)} of ${seconds.toFixed(1)} s silent`,
    };
  const longest = silences
    .map((run) => {
      const length = run.end - run.start;
      return { run, length, excess: isEdge(run, seconds) ? length - EDGE_PADDING : length };
    })
    .sort((a, b) => b.excess - a.excess)[0];
  if (!longest || longest.excess <= 0) return { name: 'silence', verdict: 'pass', detail: 'no long pause' };
  const { run, length, excess } = longest;
  const detail = isEdge(run, seconds)
    ? `${length.toFixed(1)} s of silence at the ${run.start <= EDGE ? 'start' : 'end'}`
    : `longest pause ${length.toFixed(1)} s at ${run.start.toFixed(1)} s`;
  const verdict = excess > PAUSE.fail ? 'fail' : excess > PAUSE.warn ? 'warn' : 'pass';
  return { name: 'silence', verdict, detail };
}

/** Samples held at full scale: the engine's output was clipped. */
export function checkClipping(audio: ChunkAudio): AudioCheck {
  const { peakDb, flatFactor, peakCount, seconds } = audio;
  if (peakDb === null) return { name: 'clipping', verdict: 'pass', detail: 'silent' };
  const peak = `peak ${peakDb.toFixed(1)} dBFS`;
  const clipped =
    peakDb >= CLIP.peakDb &&
    // Over a second at least: the two peak samples of a short chunk are not a rate.
    (flatFactor >= CLIP.flatFactor || peakCount >= CLIP.peaksPerSecond * Math.max(1, seconds));
  if (clipped)
    return { name: 'clipping', verdict: 'fail', detail: `clipped: ${peakCount} samples at full scale` };
  if (peakDb >= HOT_PEAK_DB) return { name: 'clipping', verdict: 'warn', detail: `${peak}, no headroom` };
  return { name: 'clipping', verdict: 'pass', detail: peak };
}

/** The checks one chunk's audio passes on its own, against the text it speaks. */
export function checkChunk(text: string, audio: ChunkAudio): AudioCheck[] {
  return [checkPace(text, audio), checkSilence(audio), checkClipping(audio)];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const last = sorted.length - 1;
  return ((sorted[Math.floor(last / 2)] ?? 0) + (sorted[Math.ceil(last / 2)] ?? 0)) / 2;
};

/** A chunk's pace against the narration's median (of 3 timed chunks or more, for a median to mean anything). */
function relativePace(text: string, audio: ChunkAudio, typical: number | undefined): AudioCheck | undefined {
  const pace = paceOf(text, audio);
  if (typical === undefined || pace === undefined || spokenChars(text) < PACE.minChars) return undefined;
  const ratio = pace / typical;
  if (ratio >= PACE.relative.min && ratio <= PACE.relative.max) return undefined;
  const against = `${pace.toFixed(1)} characters a second, ${ratio.toFixed(1)}× the narration's ${typical.toFixed(1)}`;
  return {
    name: 'pace',
    verdict: 'fail',
    detail: `${against}: ${ratio > 1 ? 'cut short' : 'noise or repeats'}?`,
  };
}

/**
 * Every chunk's checks, and the narration's: a chunk much faster or slower than the others, and
 * loudness that jumps between chunks (reported on the narration and on the chunks far from the median).
 */
export function checkNarrationAudio(chunks: Array<{ text: string; audio: ChunkAudio }>): NarrationAudio {
  const paces = chunks
    .filter((c) => spokenChars(c.text) >= PACE.minChars)
    .map((c) => paceOf(c.text, c.audio))
    .filter((p) => p !== undefined);
  const typicalPace = paces.length >= 3 ? median(paces) : undefined;
  const loudness = chunks.map(({ audio }) =>
    audio.loudnessLufs !== null && speechSeconds(audio) >= LOUDNESS_MIN_SPEECH ? audio.loudnessLufs : null,
  );
  const measured = loudness.filter((l) => l !== null);
  const typicalLoudness = measured.length ? median(measured) : undefined;

  const checked = chunks.map(({ text, audio }, i): CheckedAudio => {
    const relative = relativePace(text, audio, typicalPace);
    const checks = checkChunk(text, audio).map((c) =>
      c.name === 'pace' && c.verdict === 'pass' && relative ? relative : c,
    );
    const off = loudnessOff(loudness[i] ?? null, typicalLoudness);
    if (off) checks.push(off);
    return { verdict: worstVerdict(checks.map((c) => c.verdict)), checks };
  });
  const checks = [loudnessSpread(measured)];
  return {
    verdict: worstVerdict([...checked, ...checks].map((c) => c.verdict)),
    chunks: checked,
    checks,
  };
}

/** Integrated loudness from the quietest chunk to the loudest: the volume jumps a listener hears. */
function loudnessSpread(measured: number[]): AudioCheck {
  if (measured.length < 2)
    return { name: 'loudness', verdict: 'pass', detail: 'too few chunks with speech to compare' };
  const low = Math.min(...measured);
  const high = Math.max(...measured);
  const spread = high - low;
  const verdict = spread > LOUDNESS.fail ? 'fail' : spread > LOUDNESS.warn ? 'warn' : 'pass';
  return {
    name: 'loudness',
    verdict,
    detail: `chunks from ${low.toFixed(1)} to ${high.toFixed(1)} LUFS, ${spread.toFixed(1)} LU apart`,
  };
}

/** A chunk far louder or quieter than the narration's median. */
function loudnessOff(lufs: number | null, typical: number | undefined): AudioCheck | undefined {
  if (lufs === null || typical === undefined) return undefined;
  const off = lufs - typical;
  if (Math.abs(off) <= LOUDNESS.warn) return undefined;
  return {
    name: 'loudness',
    verdict: Math.abs(off) > LOUDNESS.fail ? 'fail' : 'warn',
    detail: `${Math.abs(off).toFixed(1)} LU ${off > 0 ? 'louder' : 'quieter'} than the narration's median ${typical.toFixed(1)} LUFS`,
  };
}
