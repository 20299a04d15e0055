import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { runProgram } from '../launcher.ts';
import { type EspeakTtsProvider, UnsupportedVoiceError } from './espeak.ts';
import type { TtsProvider, TtsRequest, TtsResult, Voice } from './provider.ts';

/** Where the Kokoro runtime is: a Python with kokoro-onnx, the model and the voices (npz). */
export interface KokoroFiles {
  python: string;
  model: string;
  voices: string;
}

/** The Kokoro files where `npm start` installs them, in the cache (scripts/toolchain.mjs, `kokoroFiles`). */
export function kokoroFiles(cacheDir: string): KokoroFiles {
  const dir = path.join(cacheDir, 'kokoro');
  const files = {
    python: path.join(dir, 'bin', 'python'),
    model: path.join(dir, 'kokoro-v1.0.int8.onnx'),
    voices: path.join(dir, 'voices.npz'),
  };
  if (!Object.values(files).every((f) => fs.existsSync(f)))
    throw new Error(`The Kokoro voice is not installed in ${dir}: \`npm start\` installs it.`);
  return files;
}

/**
 * The languages Kokoro-82M speaks: its espeak-ng phoneme language, and its voices (the first is the
 * default). Portugal's Portuguese is a Brazilian voice given European phonemes, Mexico's Spanish the
 * Spanish voices given Latin American ones.
 */
const LANGUAGES: Record<string, { phonemes: string; voices: string[] }> = {
  'en-US': {
    phonemes: 'en-us',
    voices: [
      'af_heart',
      'af_bella',
      'af_nicole',
      'af_sarah',
      'am_michael',
      'am_fenrir',
      'am_puck',
      'am_adam',
    ],
  },
  'en-GB': {
    phonemes: 'en-gb',
    voices: ['bf_emma', 'bf_isabella', 'bf_alice', 'bm_george', 'bm_fable', 'bm_lewis'],
  },
  'es-ES': { phonemes: 'es', voices: ['ef_dora', 'em_alex'] },
  'es-MX': { phonemes: 'es-419', voices: ['ef_dora', 'em_alex'] },
  'fr-FR': { phonemes: 'fr-fr', voices: ['ff_siwis'] },
  'it-IT': { phonemes: 'it', voices: ['if_sara', 'im_nicola'] },
  'pt-BR': { phonemes: 'pt-br', voices: ['pf_dora', 'pm_alex'] },
  'pt-PT': { phonemes: 'pt', voices: ['pf_dora', 'pm_alex'] },
};
/** A bare language (pt, en) is spoken as its first listed region. */
const byLanguage = new Map(
  Object.keys(LANGUAGES)
    .reverse()
    .map((tag) => [tag.split('-')[0] as string, tag]),
);

/** Kokoro's tag for a language (en-us → en-US, pt → pt-BR), or undefined when it does not speak it. */
function coveredTag(language: string): string | undefined {
  const [primary = '', region] = language.split('-');
  const tag = region ? `${primary.toLowerCase()}-${region.toUpperCase()}` : primary.toLowerCase();
  return LANGUAGES[tag] ? tag : byLanguage.get(primary.toLowerCase());
}

/** Kokoro's voices for these tags; the voice name's second letter is its gender (af_heart, am_adam). */
const ownVoices = (tags: string[]): Voice[] =>
  tags.flatMap((tag) =>
    (LANGUAGES[tag]?.voices ?? []).map((name) => ({
      name,
      languages: [tag],
      gender: name[1] === 'f' ? 'female' : 'male',
    })),
  );

/** Kokoro's speed range. */
const SPEED = { min: 0.5, max: 2 };

const script = fileURLToPath(new URL('./kokoro.py', import.meta.url));

/**
 * Kokoro-82M, a neural voice that runs on the CPU, for the languages it speaks; espeak-ng for the others.
 * One synthesis at a time: each uses every core.
 */
export class KokoroTtsProvider implements TtsProvider {
  readonly name = 'kokoro';
  /** A chunk is read in one go; a shorter one says its sentences with less context. */
  readonly maxInputBytes = 2000;
  private readonly one = pLimit(1);

  constructor(
    private readonly espeak: EspeakTtsProvider,
    private readonly files: () => KokoroFiles,
  ) {}

  /** The Kokoro language and voice for a request; undefined when espeak-ng speaks the language. */
  private kokoroVoice(language: string, voice: string | undefined) {
    const tag = coveredTag(language);
    if (!tag) return undefined;
    const spoken = LANGUAGES[tag] as (typeof LANGUAGES)[string];
    if (voice && !spoken.voices.includes(voice))
      throw new UnsupportedVoiceError(
        `Kokoro has no voice "${voice}" for ${tag}: ${spoken.voices.join(', ')}`,
      );
    return { phonemes: spoken.phonemes, voice: voice ?? (spoken.voices[0] as string) };
  }

  /** Kokoro's voices for a language, or espeak-ng's where Kokoro does not speak it; all of both without one. */
  async listVoices(language?: string): Promise<Voice[]> {
    if (!language) return [...ownVoices(Object.keys(LANGUAGES)), ...(await this.espeak.listVoices())];
    const tag = coveredTag(language);
    return tag ? ownVoices([tag]) : this.espeak.listVoices(language);
  }

  /** Only the rate, as Kokoro's `speed`; espeak-ng's own for what it speaks. */
  voiceParams(req: Pick<TtsRequest, 'text' | 'language' | 'voice' | 'settings'>): Record<string, unknown> {
    if (!coveredTag(req.language)) return this.espeak.voiceParams(req);
    const rate = req.settings?.rate ?? 1;
    return rate !== 1 ? { speed: Math.min(SPEED.max, Math.max(SPEED.min, rate)) } : {};
  }

  async synthesize(req: TtsRequest): Promise<TtsResult> {
    const spoken = this.kokoroVoice(req.language, req.voice);
    if (!spoken) return this.espeak.synthesize(req);
    const { speed = 1 } = this.voiceParams(req) as { speed?: number };
    const { python, model, voices } = this.files();
    return this.one(async () => {
      req.signal?.throwIfAborted();
      const request = JSON.stringify({ text: req.text, voice: spoken.voice, lang: spoken.phonemes, speed });
      const { stdout } = await runProgram(python, [script, model, voices], request);
      return { audio: stdout, format: 'wav' as const };
    });
  }
}
