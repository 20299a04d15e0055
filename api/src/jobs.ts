import { randomUUID } from 'node:crypto';
import { type Db, getJob, insertJob, updateJob } from '@bolt/activities';
import type { Agent, Config, JobProgress } from '@bolt/core';
import type { jobWorkflow } from '@bolt/workflows';
import type { Client } from '@temporalio/client';

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
    num_variacoes: 1,
    languages,
    workflow_id: jobId,
  });
  try {
    await client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: jobId,
      args: [{ jobId, source: job.agent.idioma, languages }],
    });
  } catch (err) {
    await updateJob(db, jobId, { status: 'failed', error: `could not start: ${(err as Error).message}` });
    throw err;
  }
  return jobId;
}

/**
 * Step-level progress: the workflow's `progress` query while it runs, its result (the final progress)
 * once it completed, and the DB summary when neither can be had (Temporal down, no worker, failed run).
 */
export async function jobProgress(
  { db, client }: JobServices,
  jobId: string,
): Promise<JobProgress | undefined> {
  const handle = client.workflow.getHandle(jobId);
  const deadline = () => Date.now() + 3_000;
  try {
    return await client.withDeadline(deadline(), () => handle.query<JobProgress>('progress'));
  } catch {
    try {
      const { status } = await client.withDeadline(deadline(), () => handle.describe());
      if (status.name === 'COMPLETED') return (await handle.result()) as JobProgress;
    } catch {
      // fall through to the DB summary
    }
    const job = await getJob(db, jobId);
    return job ? { jobId, status: job.status, steps: [] } : undefined;
  }
}
