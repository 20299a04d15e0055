export * from './job.ts';
export * from './narration.ts';
export { progressQuery } from './steps.ts';
