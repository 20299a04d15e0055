export * from './audio/ffmpeg.ts';
export * from './db/index.ts';
export * from './job-activities.ts';
export * from './llm/local.ts';
export type * from './llm/provider.ts';
export * from './log.ts';
export * from './storage/index.ts';
export * from './tts/espeak.ts';
export type * from './tts/provider.ts';
