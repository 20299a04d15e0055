export * from './app.ts';
export * from './jobs.ts';
