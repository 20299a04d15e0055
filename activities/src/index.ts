export * from './audio/ffmpeg.ts';
export * from './audio/subtitles.ts';
export * from './job-activities.ts';
export * from './launcher.ts';
export * from './llm/local.ts';
export { instructions } from './prompts.ts';
export * from './providers/index.ts';
export * from './quality/script-checks.ts';
export * from './text/clean-reply.ts';
