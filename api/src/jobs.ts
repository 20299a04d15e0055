import { randomUUID } from 'node:crypto';
import { type Db, getAgent, getJob, insertJob, type JobRow, type Storage, updateJob } from '@bolt/activities';
import {
  type Agent,
  agentSchema,
  type Config,
  type JobProgress,
  planBlocks,
  storageKeys,
  workflowIds,
} from '@bolt/core';
import type { editBlockSignal, jobWorkflow, narrationWorkflow } from '@bolt/workflows';
import type { Client, SignalDefinition } from '@temporalio/client';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';

import { z } from 'zod';
import { HttpError, notFound } from './http.ts';

const MARKDOWN = 'text/markdown; charset=utf-8';
type SignalArgs<S> = S extends SignalDefinition<infer A> ? A : never;

export interface JobServices {
  db: Db;
  client: Client;
  config: Config;
}

export interface NewJob {
  ownerId: string;
  agent: Agent;
  agentId?: string;
  titulo: string;
  /** Defaults to the agent's language followed by its target languages. */
  languages?: string[];
  variations?: number;
  budgetUsd?: number;
}

/** The languages a job narrates: those asked for, else the agent's own followed by its targets. */
export const jobLanguages = (agent: Agent, requested?: string[]) => [
  ...new Set(requested ?? [agent.idioma, ...agent.idiomas_alvo]),
];

/** Records a job and starts its workflow (workflow id = job id). */
export async function startJob({ db, client, config }: JobServices, job: NewJob): Promise<string> {
  const jobId = randomUUID();
  const languages = jobLanguages(job.agent, job.languages);
  await insertJob(db, {
    id: jobId,
    owner_id: job.ownerId,
    agent_id: job.agentId ?? null,
    agent_snapshot: job.agent,
    titulo: job.titulo,
    num_variacoes: job.variations ?? 1,
    languages,
    workflow_id: jobId,
    budget_usd: job.budgetUsd ?? null,
  });
  await launch({ db, client, config }, jobId, job.agent.idioma, languages, job.variations ?? 1);
  return jobId;
}

/** 400 naming agent_id: the user has no such agent. */
export const badAgent = () =>
  new HttpError(400, 'invalid_request', 'agent_id: no such agent', [
    { field: 'agent_id', message: 'no such agent' },
  ]);

/** Starts a job with one of the owner's agents (snapshotted now); 400 naming agent_id when there is none. */
export async function startJobWithAgent(
  services: JobServices,
  ownerId: string,
  request: { agentId: string; titulo: string; languages?: string[]; variations?: number; budgetUsd?: number },
): Promise<string> {
  const agent = z.uuid().safeParse(request.agentId).success
    ? await getAgent(services.db, ownerId, request.agentId)
    : undefined;
  if (!agent) throw badAgent();
  return startJob(services, {
    ownerId,
    agent: agentSchema.parse(agent),
    agentId: agent.id,
    titulo: request.titulo,
    languages: request.languages,
    variations: request.variations,
    budgetUsd: request.budgetUsd,
  });
}

/**
 * Runs a failed or cancelled job again as a new run of the same workflow id. Steps whose outputs are in
 * storage return them at once, so the run resumes at the step that failed and pays for nothing twice.
 */
export async function retryJob(services: JobServices, job: JobRow): Promise<void> {
  if (job.status !== 'failed' && job.status !== 'cancelled') {
    throw new HttpError(
      409,
      'not_retryable',
      `Only failed or cancelled jobs can be retried; this one is ${job.status}`,
    );
  }
  await services
    .db('jobs')
    .where({ id: job.id })
    .update({ status: 'queued', error: null, finished_at: null });
  await launch(services, job.id, job.agent_snapshot.idioma, job.languages, job.num_variacoes);
}

export interface BlockEdit {
  variation: number;
  language: string;
  /** 0-based. */
  block: number;
  text: string;
}

/**
 * Replaces one block of one narration's script and has that narration made again (signal-with-start:
 * the narration workflow goes round again if it is running, or starts anew if it had finished). The
 * first edit keeps the generated text beside it; unchanged chunks come from the cache.
 */
export async function editBlock(
  services: JobServices & { storage: Storage },
  job: JobRow,
  edit: BlockEdit,
): Promise<string> {
  if (job.status !== 'completed')
    throw new HttpError(
      409,
      'job_not_completed',
      `Blocks can be edited once the job completed; it is ${job.status}`,
    );
  const blocks = planBlocks(job.agent_snapshot.block_structure_prompt).length;
  const invalid = [
    !(Number.isInteger(edit.variation) && edit.variation >= 1 && edit.variation <= job.num_variacoes) &&
      'variation',
    !job.languages.includes(edit.language) && 'language',
    !(Number.isInteger(edit.block) && edit.block >= 0 && edit.block < blocks) && 'block',
  ].filter((f): f is string => Boolean(f));
  if (invalid.length > 0) throw notFound(invalid.join(', '));

  const { storage, client, config } = services;
  const key = storageKeys.block(job.id, edit.variation, edit.language, edit.block);
  const original = key.replace(/\.md$/, '.original.md');
  if ((await storage.size(original)) === undefined)
    await storage.put(original, await storage.get(key), MARKDOWN);
  await storage.put(key, `${edit.text}\n`, MARKDOWN);
  const workflowId = workflowIds.narration(job.id, edit.variation, edit.language);
  // By name: the API never loads workflow code.
  await client.workflow.signalWithStart<typeof narrationWorkflow, SignalArgs<typeof editBlockSignal>>(
    'narrationWorkflow',
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [
        {
          jobId: job.id,
          variation: edit.variation,
          language: edit.language,
          source: job.agent_snapshot.idioma,
          blocks,
        },
      ],
      signal: 'editBlock',
      signalArgs: [{ block: edit.block }],
    },
  );
  return workflowId;
}

async function launch(
  { db, client, config }: JobServices,
  jobId: string,
  source: string,
  languages: string[],
  variations: number,
) {
  try {
    await client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: workflowIds.job(jobId),
      args: [{ jobId, source, languages, variations }],
    });
  } catch (err) {
    await updateJob(db, jobId, { status: 'failed', error: `could not start: ${(err as Error).message}` });
    throw err;
  }
}

/**
 * Step-level progress of a job and of its narrations (child workflows): each workflow's `progress`
 * query; the job's result once it completed when the query cannot be answered (no worker); the DB
 * summary when neither can be had (Temporal down, failed run).
 */
export async function jobProgress(services: JobServices, jobId: string): Promise<JobProgress | undefined> {
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
  return client.withDeadline(deadline(), () => handle.query<JobProgress>('progress')).catch(() => undefined);
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
