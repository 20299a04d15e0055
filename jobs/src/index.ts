export * from './admission.ts';
export * from './edit.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './progress.ts';
export * from './services.ts';
export * from './start.ts';
export * from './views.ts';
