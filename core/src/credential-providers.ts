import type { LlmProviderName, TtsProviderName } from './domain.ts';

/** The providers a user stores keys for. */
export const credentialProviders = ['gemini', 'google-tts', 'openai'] as const;
export type CredentialProvider = (typeof credentialProviders)[number];
/** How each provider is named to users: in messages, the credentials page and the agent form. */
export const credentialProviderNames: Record<CredentialProvider, string> = {
  gemini: 'Gemini',
  'google-tts': 'Google Cloud Text-to-Speech',
  openai: 'OpenAI',
};

/** Which stored credential each engine needs (none for the embedded ones). */
export const llmCredential: Record<LlmProviderName, CredentialProvider | undefined> = {
  local: undefined,
  gemini: 'gemini',
  openai: 'openai',
};
export const ttsCredential: Record<TtsProviderName, CredentialProvider | undefined> = {
  espeak: undefined,
  kokoro: undefined,
  google: 'google-tts',
  openai: 'openai',
  gemini: 'gemini',
};
