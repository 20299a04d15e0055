export * from './audio/ffmpeg.ts';
export * from './audio/subtitles.ts';
export * from './job-activities.ts';
export * from './launcher.ts';
export * from './llm/local.ts';
export * from './providers/index.ts';
