import { runProgram } from '../launcher.ts';
import type { TtsProvider, TtsRequest, TtsResult, Voice } from './provider.ts';

export class UnsupportedVoiceError extends Error {
  override name = 'UnsupportedVoiceError';
}

/** espeak-ng's defaults and limits: words per minute, pitch (0–99) and amplitude (0–200). */
const ESPEAK = {
  wpm: 175,
  minWpm: 80,
  maxWpm: 450,
  pitch: 50,
  maxPitch: 99,
  amplitude: 100,
  maxAmplitude: 200,
};
/** espeak-ng scales the voice's pitch by 2^((p − 50) / 50): 50 steps of `-p` are an octave. */
const PITCH_STEPS_PER_SEMITONE = 50 / 12;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

/** espeak-ng: offline, 100+ languages. Text goes through stdin, WAV comes back on stdout. */
export class EspeakTtsProvider implements TtsProvider {
  readonly name = 'espeak';
  readonly maxInputBytes = 4000;
  private voices?: Promise<Voice[]>;

  constructor(private readonly binary = 'espeak-ng') {}

  listVoices(language?: string): Promise<Voice[]> {
    this.voices ??= runProgram(this.binary, ['--voices']).then(({ stdout }) =>
      parseVoices(stdout.toString()),
    );
    const want = language?.toLowerCase();
    return this.voices.then((all) =>
      want ? all.filter((v) => v.languages.some((l) => l === want || l === want.split('-')[0])) : all,
    );
  }

  /** The espeak voice for a language tag: exact match (pt-br), else the bare language (es). */
  async voiceFor(language: string, requested?: string): Promise<string> {
    const all = await this.listVoices();
    const names = new Set(all.flatMap((v) => [v.name, ...v.languages]));
    const candidates = requested
      ? [requested]
      : [language.toLowerCase(), language.toLowerCase().split('-')[0] ?? ''];
    const found = candidates.find((c) => names.has(c));
    if (!found) throw new UnsupportedVoiceError(`espeak-ng has no voice for ${requested ?? language}`);
    return found;
  }

  /** espeak-ng's `-s`, `-p` and `-a` for the settings, each only when it is not espeak's default. */
  voiceParams({ settings }: Pick<TtsRequest, 'settings'>): { s?: number; p?: number; a?: number } {
    if (!settings) return {};
    const s = clamp(ESPEAK.wpm * settings.rate, ESPEAK.minWpm, ESPEAK.maxWpm);
    const p = clamp(ESPEAK.pitch + settings.pitch * PITCH_STEPS_PER_SEMITONE, 0, ESPEAK.maxPitch);
    const a = clamp(ESPEAK.amplitude * 10 ** (settings.gain_db / 20), 0, ESPEAK.maxAmplitude);
    return {
      ...(s !== ESPEAK.wpm ? { s } : {}),
      ...(p !== ESPEAK.pitch ? { p } : {}),
      ...(a !== ESPEAK.amplitude ? { a } : {}),
    };
  }

  async synthesize(req: TtsRequest): Promise<TtsResult> {
    const voice = await this.voiceFor(req.language, req.voice);
    const flags = Object.entries(this.voiceParams(req)).flatMap(([flag, value]) => [
      `-${flag}`,
      String(value),
    ]);
    const { stdout } = await runProgram(
      this.binary,
      ['-v', voice, ...flags, '--stdin', '--stdout'],
      req.text,
    );
    return { audio: stdout, format: 'wav' };
  }
}

/** Parses `espeak-ng --voices`: "Pty Language Age/Gender VoiceName File Other Languages". */
function parseVoices(table: string): Voice[] {
  return table
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 5)
    .map((cols) => ({
      name: cols[1] ?? '',
      languages: [cols[1] ?? ''],
      gender: cols[2]?.endsWith('F') ? 'female' : 'male',
    }));
}
