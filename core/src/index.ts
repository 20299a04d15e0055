export * from './blocks.ts';
export * from './chunking.ts';
export * from './config.ts';
export * from './domain.ts';
export * from './pronunciation.ts';
