import { setTimeout as sleep } from 'node:timers/promises';
import { isFinished, type JobProgress, type JobView, type Step } from '@bolt/core';
import { getOwnedJob } from '@bolt/data';
import { jobProgress } from './progress.ts';
import type { WithLog } from './services.ts';
import { jobView } from './views.ts';

/** One Server-Sent Event of a job's live progress. */
export type JobEvent =
  | { event: 'progress'; id: number; data: JobView & { steps: Step[] } }
  | { event: 'end'; id: number; data: JobView }
  | { event: 'error'; data: { message: string } };

/** A version number that grows with every step change: the SSE event id. */
export const progressVersion = (p: JobProgress) =>
  p.steps.reduce((n, s) => n + (s.state === 'running' ? 1 : s.state === 'pending' ? 0 : 2), 0);

/**
 * A job's progress as it changes: a `progress` event whenever a step changes after `after` (the last
 * event id the client saw), then `end` once the job finished. Stops when `signal` aborts (the client
 * left) or the job is deleted; a failure to read progress is logged and ends the stream with `error`.
 */
export async function* jobEvents(
  services: WithLog,
  job: { id: string; owner_id: string },
  options: { after: number; signal: AbortSignal; pollMs: number },
): AsyncGenerator<JobEvent> {
  let seen = options.after;
  try {
    while (!options.signal.aborted) {
      const [progress, row] = await Promise.all([
        jobProgress(services, job.id),
        getOwnedJob(services.db, job.owner_id, job.id),
      ]);
      if (!row) return;
      const version = progress ? progressVersion(progress) : 0;
      if (progress && version > seen) {
        seen = version;
        yield { event: 'progress', id: version, data: { ...jobView(row), steps: progress.steps } };
      }
      if (isFinished(row.status)) {
        yield { event: 'end', id: seen, data: jobView(row) };
        return;
      }
      await sleep(options.pollMs, undefined, { signal: options.signal });
    }
  } catch (err) {
    if (options.signal.aborted) return;
    services.log.error({ err, jobId: job.id }, 'live progress failed');
    yield { event: 'error', data: { message: 'Live progress could not be read; reconnect to resume' } };
  }
}
