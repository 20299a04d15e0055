export * from './accounts.ts';
export * from './agents.ts';
export * from './artifacts.ts';
export * from './credentials.ts';
export * from './db.ts';
export * from './jobs.ts';
export * from './storage/index.ts';
export * from './usage.ts';
