import type { LlmProviderName, SavedAgent, TtsProviderName } from './domain.ts';

/** Whether a key (the user's or the server-wide one) exists for the original system's two providers. */
export interface OriginalKeys {
  gemini: boolean;
  'google-tts': boolean;
}

/** Google Cloud TTS voice names start with their locale: pt-BR-Neural2-A, en-US-Wavenet-D. */
export const isGoogleVoiceName = (voice: string) => /^[a-z]{2,3}-[A-Z]{2}-\S/.test(voice);

type Choosable = Pick<SavedAgent, 'llm_provider' | 'tts_provider' | 'default_voices'>;

/**
 * The providers an agent runs with. A provider the agent chose stays; one it left out (an agent in the
 * original system's format has neither) is chosen as the original would run it: Gemini and Google Cloud
 * TTS when there are keys for them, else the embedded model and Kokoro. Decided when a job starts, so an
 * agent saved before its keys were added runs on Gemini once they are. Kokoro has none of Google's
 * voices, so voices named as Google names them are then left to Kokoro's own for the language.
 */
export function withProviders<A extends Choosable>(
  agent: A,
  keys: OriginalKeys,
): A & { llm_provider: LlmProviderName; tts_provider: TtsProviderName } {
  const llm_provider = agent.llm_provider ?? (keys.gemini ? 'gemini' : 'local');
  const tts_provider = agent.tts_provider ?? (keys['google-tts'] ? 'google' : 'kokoro');
  const default_voices =
    agent.tts_provider || tts_provider === 'google'
      ? agent.default_voices
      : Object.fromEntries(Object.entries(agent.default_voices).filter(([, v]) => !isGoogleVoiceName(v)));
  return { ...agent, llm_provider, tts_provider, default_voices };
}
