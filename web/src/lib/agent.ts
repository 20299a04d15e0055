import type { Agent, AgentFields } from './types.ts';
import { isDefaultVoice } from './voice-settings.ts';

/** Text model providers an agent can pick; the server says which it supports. */
export const llmProviders = [
  { value: '', label: 'Automatic: Gemini with a Gemini key, else the local model' },
  { value: 'local', label: 'Local model (offline, on this machine)' },
  { value: 'gemini', label: 'Google Gemini' },
  { value: 'openai', label: 'OpenAI-compatible' },
];

/** Speech providers an agent can pick. */
export const ttsProviders = [
  { value: '', label: 'Automatic: Google Cloud TTS with a key, else Kokoro' },
  { value: 'kokoro', label: 'Kokoro (offline, neural; espeak-ng where it lacks the language)' },
  { value: 'espeak', label: 'espeak-ng (offline)' },
  { value: 'google', label: 'Google Cloud Text-to-Speech' },
  { value: 'openai', label: 'OpenAI speech' },
  { value: 'gemini', label: 'Gemini speech' },
];

export function blankAgent(): AgentFields {
  return {
    name: '',
    language: 'pt-BR',
    premise_prompt: '',
    persona_and_global_rules_prompt: '',
    block_structure_prompt: '',
    cultural_adaptation_prompt: '',
    target_languages: [],
    cultural_configs: {},
    default_voices: {},
    pronunciation: {},
    llm_provider: 'local',
    llm_model: '',
    llm_fallback_model: '',
    tts_provider: 'kokoro',
    voice_settings: {},
  };
}

/** The editable fields of a stored agent (any field this app does not know is kept as it is). */
export function agentFields(agent: Agent): AgentFields {
  const { id: _id, voice_check: _v, created_at: _c, updated_at: _u, ...fields } = agent;
  // A deep copy through JSON: the agent may be reactive state, which structuredClone refuses.
  return JSON.parse(JSON.stringify(fields)) as AgentFields;
}

/**
 * What to send: per-language maps trimmed to the agent's languages (source + targets), empty entries
 * dropped, so removing a language removes its voice, cultural notes, dictionary and voice settings too.
 */
export function agentPayload(fields: AgentFields): AgentFields {
  const languages = new Set([fields.language, ...fields.target_languages]);
  const keep = <T>(map: Record<string, T>, ok: (v: T) => boolean) =>
    Object.fromEntries(Object.entries(map).filter(([lang, v]) => languages.has(lang) && ok(v)));
  const pronunciation: Record<string, Record<string, string>> = {};
  for (const [lang, dict] of Object.entries(fields.pronunciation)) {
    if (!languages.has(lang)) continue;
    const entries = Object.entries(dict).filter(([word]) => word.trim() !== '');
    if (entries.length > 0) pronunciation[lang] = Object.fromEntries(entries.map(([w, s]) => [w.trim(), s]));
  }
  return {
    ...fields,
    // Empty is the automatic choice, made as each job starts: the field is left out.
    llm_provider: fields.llm_provider || undefined,
    tts_provider: fields.tts_provider || undefined,
    name: fields.name.trim(),
    target_languages: [...new Set(fields.target_languages.filter((l) => l !== fields.language))],
    cultural_configs: keep(fields.cultural_configs, (v) => v.trim() !== ''),
    default_voices: keep(fields.default_voices, (v) => v !== ''),
    pronunciation,
    voice_settings: keep(fields.voice_settings, (s) => !isDefaultVoice(s)),
  };
}
