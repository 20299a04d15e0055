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
