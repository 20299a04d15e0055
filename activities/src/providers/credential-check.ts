import type { CredentialCheck, CredentialProvider } from '@bolt/core';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { GoogleTtsProvider } from '../tts/google.ts';
import type { ProviderError } from './errors.ts';
import { classifyGoogleError } from './google-errors.ts';
import { classifyOpenAiError } from './openai-errors.ts';
import { retryQuickly } from './retry.ts';

export interface ProviderUrls {
  gemini?: string;
  openai?: string;
  googleTts?: string;
}

/**
 * What a classified provider error means for a key: only an authentication failure makes it invalid.
 * Any other refusal (a route the server lacks, a bad request) says nothing about the key.
 */
function verdict(err: ProviderError): CredentialCheck {
  switch (err.kind) {
    case 'invalid-key':
    case 'permission':
      return { status: 'invalid', message: err.message, reason: err.message };
    case 'rate-limited':
      return {
        status: 'quota',
        message: `The key works but is over its quota. ${err.message}`,
        reason: err.message,
      };
    default:
      return {
        status: 'unreachable',
        message: `Could not check the key now. ${err.message}`,
        reason: err.message,
      };
  }
}

/**
 * Checks a key with the provider's cheapest call, through its official SDK: listing models (Gemini,
 * OpenAI) or voices (Google Cloud Text-to-Speech).
 */
export async function checkCredential(
  provider: CredentialProvider,
  key: string,
  urls: ProviderUrls,
): Promise<CredentialCheck> {
  // Errors are classified inside the retry, so that a passing failure is tried again and a refusal is not.
  const classify = (err: unknown) =>
    provider === 'openai' ? classifyOpenAiError(provider, err, key) : classifyGoogleError(provider, err, key);
  const call = async () => {
    try {
      if (provider === 'gemini') {
        await new GoogleGenAI({
          apiKey: key,
          httpOptions: { timeout: 10_000, ...(urls.gemini ? { baseUrl: urls.gemini } : {}) },
        }).models.list();
      } else if (provider === 'openai') {
        await new OpenAI({ apiKey: key, baseURL: urls.openai, maxRetries: 0, timeout: 10_000 }).models.list();
      } else {
        await new GoogleTtsProvider({ apiKey: key, baseUrl: urls.googleTts, timeoutMs: 10_000 }).listVoices(
          'en-US',
        );
      }
    } catch (err) {
      throw classify(err);
    }
  };
  try {
    // A 429 already says the key works: only failures that say nothing of it are tried again.
    await retryQuickly(provider, call, { kinds: ['transient'] });
    return { status: 'valid', message: 'The provider accepted the key' };
  } catch (err) {
    // The classifiers strip the key from anything the provider said.
    return verdict(classify(err));
  }
}
