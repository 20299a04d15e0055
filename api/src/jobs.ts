import { randomUUID } from 'node:crypto';
import { type Db, getAgent, getJob, insertJob, type JobRow, updateJob } from '@bolt/activities';
import { type Agent, agentSchema, type Config, type JobProgress, workflowIds } from '@bolt/core';
import type { jobWorkflow } from '@bolt/workflows';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { HttpError } from './http.ts';

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

/** Records a job and starts its workflow (workflow id = job id). */
export async function startJob({ db, client, config }: JobServices, job: NewJob): Promise<string> {
  const jobId = randomUUID();
  const languages = [...new Set(job.languages ?? [job.agent.idioma, ...job.agent.idiomas_alvo])];
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

/** Starts a job with one of the owner's agents (snapshotted now); 400 naming agent_id when there is none. */
export async function startJobWithAgent(
  services: JobServices,
  ownerId: string,
  request: { agentId: string; titulo: string; languages?: string[]; variations?: number; budgetUsd?: number },
): Promise<string> {
  const agent = z.uuid().safeParse(request.agentId).success
    ? await getAgent(services.db, ownerId, request.agentId)
    : undefined;
  if (!agent) {
    throw new HttpError(400, 'invalid_request', 'agent_id: no such agent', [
      { field: 'agent_id', message: 'no such agent' },
    ]);
  }
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
 * query, its result once it completed, and the DB summary when neither can be had (Temporal down, no
 * worker, failed run).
 */
export async function jobProgress(services: JobServices, jobId: string): Promise<JobProgress | undefined> {
  const job = await workflowProgress(services.client, workflowIds.job(jobId));
  if (!job) {
    const row = await getJob(services.db, jobId);
    return row ? { jobId, status: row.status, steps: [] } : undefined;
  }
  const children = await Promise.all((job.children ?? []).map((id) => workflowProgress(services.client, id)));
  return { ...job, steps: [...job.steps, ...children.flatMap((c) => c?.steps ?? [])] };
}

async function workflowProgress(client: Client, workflowId: string): Promise<JobProgress | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = () => Date.now() + 3_000;
  try {
    return await client.withDeadline(deadline(), () => handle.query<JobProgress>('progress'));
  } catch {
    try {
      const { status } = await client.withDeadline(deadline(), () => handle.describe());
      if (status.name === 'COMPLETED') return (await handle.result()) as JobProgress;
    } catch {
      // not started yet, or Temporal unreachable
    }
    return undefined;
  }
}
