import type { JobActivities } from '@bolt/activities';
import type { JobProgress, JobStatus, Step, StepQuota } from '@bolt/core';
import { failureTypes } from '@bolt/core/failures';
import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';

export const progressQuery = defineQuery<JobProgress>('progress');
/** A key was added or its limits changed: steps waiting for the next quota day look again now. */
export const quotaChangedSignal = defineSignal('quotaChanged');

/**
 * Provider calls are retried with backoff (a provider's requested delay wins, see keys.ts); final
 * errors (bad key, bad request, budget) are not retried. Activities heartbeat every 5 seconds, so one
 * lost with its worker is retried after 20 seconds, not after the whole timeout; the timeout is long
 * because a step may wait its turn on the embedded model behind every other step the worker runs.
 */
const activityOptions: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
  },
};

/** Activity proxies whose activity id is the step id, so the Web UI and the progress query name steps alike. */
export const activitiesFor = (stepId: string) =>
  proxyActivities<JobActivities>({ ...activityOptions, activityId: stepId });

/** A step's id (which doubles as its activity id) and its label. */
export type StepName = [id: string, label: string];

/**
 * A workflow's step list, answered by the `progress` query: steps are declared up front (pending) as soon
 * as they are known, and each one records its state, attempt, output key and a short detail.
 */
export function stepTracker(jobId: string, children?: string[]) {
  const state: { status: JobStatus } = { status: 'running' };
  const steps: Step[] = [];
  const progress = (): JobProgress => ({ jobId, status: state.status, steps, children });
  setHandler(progressQuery, progress);
  const keys = { changes: 0 };
  setHandler(quotaChangedSignal, () => {
    keys.changes++;
  });

  /** Adds a pending step (before the step `before` when there is one), unless it is declared already. */
  const declare = ([id, label]: StepName, before?: string): Step => {
    let s = steps.find((x) => x.id === id);
    if (!s) {
      s = { id, label, state: 'pending' };
      const at = before === undefined ? -1 : steps.findIndex((x) => x.id === before);
      steps.splice(at === -1 ? steps.length : at, 0, s);
    }
    return s;
  };

  /** Runs `work` as the step `name`, keeping its state current for the progress query. */
  async function step<T>(name: StepName, work: (a: JobActivities) => Promise<T>): Promise<T> {
    const s = declare(name);
    Object.assign(s, { state: 'running', startedAt: new Date().toISOString(), error: undefined });
    try {
      const out = await untilQuota(s, keys, () => work(activitiesFor(name[0])));
      Object.assign(s, { state: 'completed', finishedAt: new Date().toISOString(), ...reportOf(out) });
      return out;
    } catch (err) {
      const state = isCancellation(err) ? 'cancelled' : 'failed';
      const error = state === 'failed' ? rootMessage(err) : undefined;
      Object.assign(s, { state, finishedAt: new Date().toISOString(), error });
      throw err;
    }
  }

  /**
   * Ends the workflow's step list as it closes unsuccessfully: steps still running (alongside the one that
   * failed, or when cancelled) were stopped there, and steps never started are skipped. Their times freeze.
   */
  function end(status: 'failed' | 'cancelled') {
    state.status = status;
    const now = new Date().toISOString();
    for (const s of steps) {
      if (s.state === 'running') Object.assign(s, { state: 'cancelled', finishedAt: now });
      else if (s.state === 'pending') s.state = 'skipped';
    }
  }

  /** Drops the steps whose ids start with `prefix` (a new round declares them again). */
  function forget(prefix: string) {
    const kept = steps.filter((s) => !s.id.startsWith(prefix));
    steps.splice(0, steps.length, ...kept);
  }

  return { state, steps, progress, declare, step, forget, end };
}

export type StepTracker = ReturnType<typeof stepTracker>;

/**
 * Runs a step's activity; when it says no key can be had before a time later than it may wait in place
 * (a key's day spent), the step waits for that time on a timer, or until a key is added or its limits
 * change, showing what it waits for, and runs again: a wait, not a failed attempt.
 */
async function untilQuota<T>(s: Step, keys: { changes: number }, run: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await run();
    } catch (err) {
      const quota = quotaWaitOf(err);
      if (!quota || !patched('quota-wait')) throw err;
      s.quota = quota;
      const seen = keys.changes;
      await condition(() => keys.changes > seen, Math.max(1, Date.parse(quota.nextAt) - Date.now()));
      s.quota = undefined;
    }
  }
}

/** The wait a QuotaWait failure of an activity names, if it is one. */
function quotaWaitOf(err: unknown): StepQuota | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== failureTypes.QuotaWait) return undefined;
  return err.cause.details?.[0] as StepQuota | undefined;
}

/** What a step's output tells the timeline: its attempt, the storage key it wrote and a short detail. */
function reportOf(out: unknown): Pick<Step, 'attempt' | 'output' | 'detail'> {
  if (typeof out !== 'object' || out === null || Array.isArray(out)) return {};
  const { attempt, key, detail } = out as { attempt?: number; key?: string; detail?: string };
  return { attempt, output: key, detail };
}

/** The message a user can act on: the innermost cause's (an activity failure wraps the real error). */
export function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown };
  while (e.cause) e = e.cause as typeof e;
  return e.message ?? String(err);
}

/** Runs `work` over `items` with at most `limit` at a time, in order of start. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
