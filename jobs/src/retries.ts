import type { JobProgress, StepRetry } from '@bolt/core';
import type { WorkflowHandle } from '@temporalio/client';

type Raw = Awaited<ReturnType<WorkflowHandle['describe']>>['raw'];
type PendingActivity = NonNullable<Raw['pendingActivities']>[number];
type Timestamp = PendingActivity['nextAttemptScheduleTime'];

/** Milliseconds of a protobuf Timestamp or Duration (seconds may arrive as a Long). */
function msOf(ts: Timestamp): number | undefined {
  if (!ts || ts.seconds == null) return undefined;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds.toNumber();
  return seconds * 1000 + Math.round((ts.nanos ?? 0) / 1e6);
}

/** The innermost message of a failure: what the provider or our code said, not its wrappers. */
function rootMessage(failure: PendingActivity['lastFailure']): string {
  let f = failure;
  while (f?.cause) f = f.cause;
  return f?.message ?? '';
}

/** What a pending activity tells about its retries, once an attempt of it has failed. */
export function retryOf(activity: PendingActivity): StepRetry | undefined {
  const attempt = activity.attempt ?? 1;
  if (attempt < 2 || !activity.lastFailure) return undefined;
  const next = msOf(activity.nextAttemptScheduleTime);
  return {
    attempt,
    reason: rootMessage(activity.lastFailure),
    waitMs: msOf(activity.currentRetryInterval),
    nextAt: next === undefined ? undefined : new Date(next).toISOString(),
  };
}

/**
 * A running workflow's steps with the retries Temporal is making of them: the workflow itself only
 * learns how an activity ended, so why a step is on its second attempt comes from its pending activity.
 */
export async function withRetries(
  handle: WorkflowHandle,
  progress: JobProgress,
  withinDeadline: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<JobProgress> {
  if (progress.status !== 'running' || !progress.steps.some((s) => s.state === 'running')) return progress;
  const pending = await withinDeadline(() => handle.describe()).then(
    (d) => d.raw.pendingActivities ?? [],
    () => [],
  );
  const retries = new Map(
    pending.flatMap((a) => {
      const retry = a.activityId ? retryOf(a) : undefined;
      return retry ? [[a.activityId as string, retry] as const] : [];
    }),
  );
  if (retries.size === 0) return progress;
  return {
    ...progress,
    steps: progress.steps.map((s) => {
      const retry = s.state === 'running' ? retries.get(s.id) : undefined;
      return retry ? { ...s, attempt: retry.attempt, retry } : s;
    }),
  };
}
