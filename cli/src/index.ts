export * from './postgres.ts';
export * from './run.ts';
export * from './stack.ts';
export * from './telemetry.ts';
export * from './temporal.ts';
export * from './worker.ts';
