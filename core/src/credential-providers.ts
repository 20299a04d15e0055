/** The providers a user stores keys for. */
export const credentialProviders = ['gemini', 'google-tts', 'openai'] as const;
export type CredentialProvider = (typeof credentialProviders)[number];
/** How each provider is named to users: in messages, the credentials page and the agent form. */
export const credentialProviderNames: Record<CredentialProvider, string> = {
  gemini: 'Gemini',
  'google-tts': 'Google Cloud Text-to-Speech',
  openai: 'OpenAI',
};
