import { createHash } from 'node:crypto';
import type { Agent, Config, CredentialProvider, LlmProviderName } from '@bolt/core';
import { LRUCache } from 'lru-cache';
import { GeminiTranscriber } from './asr/gemini.ts';
import { OpenAiTranscriber } from './asr/openai.ts';
import type { Transcriber } from './asr/provider.ts';
import { GeminiLlmProvider } from './llm/gemini.ts';
import { OpenAiLlmProvider } from './llm/openai.ts';
import type { LlmProvider } from './llm/provider.ts';
import { EspeakTtsProvider } from './tts/espeak.ts';
import { GeminiTtsProvider } from './tts/gemini.ts';
import { GoogleTtsProvider } from './tts/google.ts';
import { KokoroTtsProvider, kokoroFiles } from './tts/kokoro.ts';
import { OpenAiTtsProvider } from './tts/openai.ts';
import type { TtsProvider } from './tts/provider.ts';

export { llmCredential, ttsCredential } from '@bolt/core';

/**
 * The transcription engine a narration's speech is checked with: that of the agent's model provider,
 * with the same keys. None for the embedded model: no offline engine installable from a registry
 * covers the languages (see the README).
 */
export const transcription: Record<
  LlmProviderName,
  { usageName: string; credential: CredentialProvider; model: string } | undefined
> = {
  local: undefined,
  gemini: { usageName: 'gemini-asr', credential: 'gemini', model: 'gemini-2.5-flash' },
  openai: { usageName: 'openai-asr', credential: 'openai', model: 'gpt-4o-mini-transcribe' },
};

const defaultModels: Record<LlmProviderName, string> = {
  local: 'local',
  gemini: 'gemini-2.5-flash',
  openai: 'gpt-4o-mini',
};

/** The model an agent's text is written with: its own, or its provider's default. */
export const primaryModel = (agent: Agent) => agent.llm_model || defaultModels[agent.llm_provider];

/**
 * Builds the engine an agent asks for, with the key of the user whose job runs. The embedded model is
 * given by processes that run jobs (the API lists voices only, and loads no model).
 *
 * Engines are kept per provider, model and key: an SDK client is costly to build (Google's loads its
 * protos, about a second of CPU) and keeps its connections open for the next request.
 */
export function engines(config: Config, local?: LlmProvider) {
  const espeak = new EspeakTtsProvider(config.ESPEAK_PATH);
  const kokoro = new KokoroTtsProvider(espeak, () => kokoroFiles(config.BOLT_CACHE_DIR));
  const built = new LRUCache<string, LlmProvider | TtsProvider | Transcriber>({ max: 256 });
  /** The engine for these settings, built once; the key is hashed so no secret is a map key. */
  const reuse = <E extends LlmProvider | TtsProvider | Transcriber>(
    settings: string[],
    apiKey: string,
    build: () => E,
  ): E => {
    const id = createHash('sha256')
      .update([...settings, apiKey].join('\0'))
      .digest('base64url');
    const engine = (built.get(id) as E | undefined) ?? build();
    built.set(id, engine);
    return engine;
  };
  const urls = {
    gemini: config.GEMINI_BASE_URL,
    openai: config.OPENAI_BASE_URL,
    googleTts: config.GOOGLE_TTS_BASE_URL,
  };
  return {
    /** The models to try in order: the agent's (or the provider's default), then its fallback. */
    llmModels(agent: Agent): string[] {
      return [primaryModel(agent), agent.llm_fallback_model].filter((m, i, all) => m && all.indexOf(m) === i);
    },
    llm(agent: Agent, model: string, apiKey: string): LlmProvider {
      switch (agent.llm_provider) {
        case 'local':
          if (!local) throw new Error('this process runs no embedded model');
          return local;
        case 'gemini':
          return reuse(
            ['llm', 'gemini', model],
            apiKey,
            () => new GeminiLlmProvider({ apiKey, model, baseUrl: urls.gemini }),
          );
        case 'openai':
          return reuse(
            ['llm', 'openai', model],
            apiKey,
            () => new OpenAiLlmProvider({ apiKey, model, baseUrl: urls.openai }),
          );
      }
    },
    /** The agent's transcription engine (see `transcription`: the embedded model has none). */
    asr(agent: Pick<Agent, 'llm_provider'>, apiKey: string): Transcriber {
      const model = transcription[agent.llm_provider]?.model;
      switch (agent.llm_provider) {
        case 'local':
          throw new Error('the embedded model has no transcription engine');
        case 'gemini':
          return reuse(
            ['asr', 'gemini'],
            apiKey,
            () => new GeminiTranscriber({ apiKey, model, baseUrl: urls.gemini }),
          );
        case 'openai':
          return reuse(
            ['asr', 'openai'],
            apiKey,
            () => new OpenAiTranscriber({ apiKey, model, baseUrl: urls.openai }),
          );
      }
    },
    tts(agent: Pick<Agent, 'tts_provider'>, apiKey: string): TtsProvider {
      switch (agent.tts_provider) {
        case 'espeak':
          return espeak;
        case 'kokoro':
          return kokoro;
        case 'google':
          return reuse(
            ['tts', 'google'],
            apiKey,
            () => new GoogleTtsProvider({ apiKey, baseUrl: urls.googleTts }),
          );
        case 'openai':
          return reuse(
            ['tts', 'openai'],
            apiKey,
            () => new OpenAiTtsProvider({ apiKey, baseUrl: urls.openai }),
          );
        case 'gemini':
          return reuse(
            ['tts', 'gemini'],
            apiKey,
            () => new GeminiTtsProvider({ apiKey, baseUrl: urls.gemini }),
          );
      }
    },
  };
}

export type Engines = ReturnType<typeof engines>;
