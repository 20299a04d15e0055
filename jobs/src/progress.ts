import { type JobProgress, workflowIds } from '@bolt/core';
import { getJob } from '@bolt/data';
import type { Client } from '@temporalio/client';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import { withRetries } from './retries.ts';
import type { JobServices } from './services.ts';

/**
 * Step-level progress of a job and of its narrations (child workflows): each workflow's `progress`
 * query; the job's result once it completed when the query cannot be answered (no worker); the DB
 * summary when neither can be had (Temporal down, failed run).
 */
export async function jobProgress(
  services: Pick<JobServices, 'db' | 'client'>,
  jobId: string,
): Promise<JobProgress | undefined> {
  const job = await jobWorkflowProgress(services.client, workflowIds.job(jobId));
  if (!job) {
    const row = await getJob(services.db, jobId);
    return row ? { jobId, status: row.status, steps: [] } : undefined;
  }
  const children = await narrationsProgress(services.client, jobId, job.children ?? []);
  return { ...job, steps: [...job.steps, ...children.flatMap((c) => c?.steps ?? [])] };
}

/** Steps of closed narration runs: they never change, and querying a closed workflow replays it. */
const closedRuns = new LRUCache<string, JobProgress>({ max: 5_000 });

/** Narration queries at once per job read: a closed narration's query is a replay on a worker. */
const QUERIES_AT_ONCE = 16;

/**
 * The narrations' progress: one visibility listing says which runs have closed; those come from the
 * cache once read, the others (running, or not listed yet) are queried, a few at a time.
 */
async function narrationsProgress(
  client: Client,
  jobId: string,
  ids: string[],
): Promise<Array<JobProgress | undefined>> {
  if (ids.length === 0) return [];
  // A narration re-opened by an edit has a closed run and a newer one: only the latest counts.
  const latest = new Map<string, { runId: string; startTime: Date; closed: boolean }>();
  try {
    for await (const run of client.workflow.list({ query: `WorkflowId STARTS_WITH "${jobId}/"` })) {
      const seen = latest.get(run.workflowId);
      if (!seen || run.startTime > seen.startTime)
        latest.set(run.workflowId, {
          runId: run.runId,
          startTime: run.startTime,
          closed: run.status.name !== 'RUNNING',
        });
    }
  } catch {
    // no visibility store: every narration is queried
  }
  const limit = pLimit(QUERIES_AT_ONCE);
  return Promise.all(
    ids.map(async (id) => {
      const last = latest.get(id);
      const run = last?.closed ? last.runId : undefined;
      const key = run && `${id}@${run}`;
      const cached = key && closedRuns.get(key);
      if (cached) return cached;
      const progress = await limit(() => queryProgress(client, id, run));
      if (key && progress && progress.status !== 'running') closedRuns.set(key, progress);
      return progress;
    }),
  );
}

const deadline = () => Date.now() + 3_000;

async function queryProgress(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<JobProgress | undefined> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const withinDeadline = <T>(work: () => Promise<T>) => client.withDeadline(deadline(), work);
  const progress = await withinDeadline(() => handle.query<JobProgress>('progress')).catch(() => undefined);
  return progress && withRetries(handle, progress, withinDeadline);
}

async function jobWorkflowProgress(client: Client, workflowId: string): Promise<JobProgress | undefined> {
  const progress = await queryProgress(client, workflowId);
  if (progress) return progress;
  const handle = client.workflow.getHandle(workflowId);
  try {
    const { status } = await client.withDeadline(deadline(), () => handle.describe());
    if (status.name === 'COMPLETED') return (await handle.result()) as JobProgress;
  } catch {
    // not started yet, or Temporal unreachable
  }
  return undefined;
}
