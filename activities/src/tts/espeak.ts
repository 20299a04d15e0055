import { runProgram } from '../launcher.ts';
import type { TtsProvider, TtsRequest, TtsResult, Voice } from './provider.ts';

export class UnsupportedVoiceError extends Error {
  override name = 'UnsupportedVoiceError';
}

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

  async synthesize(req: TtsRequest): Promise<TtsResult> {
    const voice = await this.voiceFor(req.language, req.voice);
    const { stdout } = await runProgram(this.binary, ['-v', voice, '--stdin', '--stdout'], req.text);
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
