export * from './job.ts';
export * from './narration.ts';
export { progressQuery, quotaChangedSignal } from './steps.ts';
