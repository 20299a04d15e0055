import { t } from './locale.svelte.ts';

const labels: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
  pending: 'Waiting',
};

/** A job or step state in the UI language. */
export const statusLabel = (state: string) => {
  const label = labels[state];
  return label ? t(label) : state;
};
