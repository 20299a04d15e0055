import { type JobProgress, type Step, workflowIds } from '@bolt/core';
import { type Db, getJob, quotaWaitsOf } from '@bolt/data';
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
  const steps = [...job.steps, ...children.flatMap((c) => c?.steps ?? [])];
  return {
    ...job,
    steps: job.status === 'running' ? await withQuotaWaits(services.db, jobId, steps) : steps,
  };
}

/**
 * Running steps waiting in the quota queue say what for (which key, why, when): the activity keeps its
 * place there, and the workflow only learns how it ended.
 */
async function withQuotaWaits(db: Db, jobId: string, steps: Step[]): Promise<Step[]> {
  if (!steps.some((s) => s.state === 'running' && !s.quota)) return steps;
  const waits = await quotaWaitsOf(db, jobId);
  if (waits.size === 0) return steps;
  return steps.map((s) => {
    const quota = s.state === 'running' && !s.quota ? waits.get(s.id) : undefined;
    return quota ? { ...s, quota } : s;
  });
}

/** Steps of closed narration runs: they never change, and querying a closed workflow replays it. */
const closedRuns = new LRUCache<string, JobProgress>({ max: 5_000 });

/** Narration queries at once per job read: a closed narration's query is a replay on a worker. */
const QUERIES_AT_ONCE = 16;

/** One run of a narration, as the visibility listing has it. */
interface Run {
  runId: string;
  startTime: Date;
  closed: boolean;
}

/**
 * The narrations' progress: one visibility listing says which runs have closed; those come from the
 * cache once read, the others (running, or not listed yet) are queried, a few at a time. A narration
 * re-opened by an edit has a closed run and a newer one: the timeline keeps both runs' steps.
 */
async function narrationsProgress(
  client: Client,
  jobId: string,
  ids: string[],
): Promise<Array<JobProgress | undefined>> {
  if (ids.length === 0) return [];
  const runs = new Map<string, Run[]>();
  try {
    for await (const run of client.workflow.list({ query: `WorkflowId STARTS_WITH "${jobId}/"` })) {
      const list = runs.get(run.workflowId) ?? [];
      list.push({ runId: run.runId, startTime: run.startTime, closed: run.status.name !== 'RUNNING' });
      runs.set(run.workflowId, list);
    }
  } catch {
    // no visibility store: every narration's latest run is queried
  }
  const limit = pLimit(QUERIES_AT_ONCE);
  const read = async (id: string, run?: Run) => {
    const runId = run?.closed ? run.runId : undefined;
    const key = runId && `${id}@${runId}`;
    const cached = key && closedRuns.get(key);
    if (cached) return cached;
    const progress = await limit(() => queryProgress(client, id, runId));
    if (key && progress && progress.status !== 'running') closedRuns.set(key, progress);
    return progress;
  };
  return Promise.all(
    ids.map(async (id) => {
      const all = (runs.get(id) ?? []).sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
      if (all.length <= 1) return read(id, all[0]);
      const progresses = await Promise.all(all.map((run) => read(id, run)));
      return withEarlierRuns(progresses.filter((p): p is JobProgress => p !== undefined));
    }),
  );
}

/**
 * The latest run's progress with the steps of the runs before it, oldest first. Runs from before edit
 * rounds had step ids of their own reuse the same ids: there, the newer step is the one kept.
 */
function withEarlierRuns(runs: JobProgress[]): JobProgress | undefined {
  const latest = runs.at(-1);
  if (!latest) return undefined;
  const seen = new Set<string>();
  const kept: JobProgress['steps'][] = [];
  for (const run of [...runs].reverse()) {
    kept.unshift(run.steps.filter((s) => !seen.has(s.id)));
    for (const s of run.steps) seen.add(s.id);
  }
  return { ...latest, steps: kept.flat() };
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
