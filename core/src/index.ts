export * from './blocks.ts';
export * from './chunking.ts';
export * from './config.ts';
export * from './domain.ts';
export * from './ids.ts';
export * from './prices.ts';
export * from './pronunciation.ts';
export * from './secrets.ts';
