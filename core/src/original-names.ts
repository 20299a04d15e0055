import { type VoiceSettingName, type VoiceSettings, voiceSettingsSchema } from './voice.ts';

/**
 * The original system's field names and Bolt's. Bolt speaks English everywhere; the original names are
 * spoken at the seed-compatible endpoints, and accepted on input (agent files, `/api` bodies, agent
 * snapshots stored before the rename) until the release after 2027-06-01.
 */
export const originalNames = {
  language: 'idioma',
  target_languages: 'idiomas_alvo',
  title: 'titulo',
  titles: 'titulos',
  variations: 'num_variacoes',
  tts_chars: 'chars_processados_tts',
  audio_seconds: 'duracao_total_segundos',
} as const;

type English = keyof typeof originalNames;

/**
 * The object with each original name replaced by Bolt's (a value under Bolt's name wins when both are
 * given); anything that is not a plain object is returned as it is, for the schema to judge.
 */
export function withEnglishNames(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [english, original] of Object.entries(originalNames) as Array<[English, string]>) {
    if (original in out) {
      if (!(english in out)) out[english] = out[original];
      delete out[original];
    }
  }
  return out;
}

/**
 * The original system's speaking speed and pitch, under the names Google Cloud TTS gives them
 * (`speaking_rate`, `pitch` in semitones: the same units as Bolt's), and the voice setting each is.
 */
export const originalVoiceNames = { speaking_rate: 'rate', pitch: 'pitch' } as const;

/** A value for every language (a number), or one per language (`{ "pt-BR": 1.1 }`). */
export type PerLanguage = number | Record<string, number>;

/**
 * Voice settings with the original `speaking_rate` and `pitch` written into them, for `languages` (a
 * number) or the languages named (an object); those names win over the same setting in `settings`.
 */
export function withOriginalVoice(
  settings: Record<string, VoiceSettings>,
  languages: string[],
  original: Partial<Record<keyof typeof originalVoiceNames, PerLanguage>>,
): Record<string, VoiceSettings> {
  const out = { ...settings };
  for (const [name, setting] of Object.entries(originalVoiceNames) as Array<
    [keyof typeof originalVoiceNames, VoiceSettingName]
  >) {
    const value = original[name];
    if (value === undefined) continue;
    const perLanguage =
      typeof value === 'number' ? languages.map((l) => [l, value] as const) : Object.entries(value);
    for (const [language, v] of perLanguage)
      out[language] = { ...(out[language] ?? voiceSettingsSchema.parse({})), [setting]: v };
  }
  return out;
}

/** The original `speaking_rate` and `pitch` of an agent's voice settings, per language that has them. */
export function originalVoice(settings: Record<string, VoiceSettings>) {
  const of = (setting: VoiceSettingName) =>
    Object.fromEntries(Object.entries(settings).map(([language, s]) => [language, s[setting]]));
  return { speaking_rate: of('rate'), pitch: of('pitch') };
}
