import type { CredentialProvider } from '@bolt/activities';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

export interface CheckResult {
  status: 'valid' | 'invalid' | 'quota' | 'unreachable' | 'unchecked';
  message: string;
}

export interface ProviderUrls {
  gemini?: string;
  openai?: string;
}

/** What an HTTP status from a provider means for a key. */
function classify(status: number | undefined, detail: string): CheckResult {
  if (status === 429) return { status: 'quota', message: `The key works but is over its quota: ${detail}` };
  if (status === 400 || status === 401 || status === 403)
    return { status: 'invalid', message: `The provider rejected the key: ${detail}` };
  return { status: 'unreachable', message: `Could not check the key now: ${detail}` };
}

/** Checks a key with the provider's cheapest call (listing models), through its official SDK. */
export async function checkCredential(
  provider: CredentialProvider,
  key: string,
  urls: ProviderUrls,
): Promise<CheckResult> {
  try {
    if (provider === 'gemini') {
      await new GoogleGenAI({
        apiKey: key,
        httpOptions: urls.gemini ? { baseUrl: urls.gemini } : undefined,
      }).models.list();
    } else if (provider === 'openai') {
      await new OpenAI({ apiKey: key, baseURL: urls.openai, maxRetries: 0, timeout: 10_000 }).models.list();
    } else {
      return {
        status: 'unchecked',
        message: 'Google Cloud TTS keys are checked when the Google TTS provider is used',
      };
    }
    return { status: 'valid', message: 'The provider accepted the key' };
  } catch (err) {
    const e = err as { status?: number; message?: string };
    // The provider's own message, with anything that looks like the key removed.
    return classify(e.status, (e.message ?? String(err)).split(key).join('[key]').slice(0, 300));
  }
}
