// The provider adapters, their error model and the key ring, without the embedded model or ffmpeg:
// what processes that call providers but run no job steps (the API) import.
export * from '../engines.ts';
export * from '../keys.ts';
export * from '../llm/gemini.ts';
export * from '../llm/openai.ts';
export type * from '../llm/provider.ts';
export * from '../tts/espeak.ts';
export * from '../tts/gemini.ts';
export * from '../tts/google.ts';
export * from '../tts/openai.ts';
export type * from '../tts/provider.ts';
export * from './credential-check.ts';
export * from './errors.ts';
export * from './google-errors.ts';
export * from './openai-errors.ts';
export * from './retry.ts';
