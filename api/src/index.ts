export * from './app.ts';
export * from './http.ts';
export * from './jobs.ts';
