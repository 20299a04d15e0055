import { randomUUID } from 'node:crypto';
import {
  type Agent,
  agentSchema,
  type CredentialProvider,
  isFinished,
  type SavedAgent,
  withProviders,
  workflowIds,
} from '@bolt/core';
import { metrics } from '@bolt/core/metrics';
import {
  deleteJob,
  getAgent,
  insertJob,
  type JobRow,
  listCredentials,
  requeueJob,
  updateJob,
} from '@bolt/data';
import type { jobWorkflow } from '@bolt/workflows';
import { z } from 'zod';
import { conflict, invalidField } from './errors.ts';
import type { JobServices, WithStorage } from './services.ts';

export interface NewJob {
  ownerId: string;
  /** Providers it left out are chosen as the job starts (`agentForJob`). */
  agent: SavedAgent;
  agentId?: string;
  title: string;
  /** Defaults to the agent's language followed by its target languages. */
  languages?: string[];
  variations?: number;
  budgetUsd?: number;
  /** One of a batch: its provider calls wait behind interactive work when quota is short. */
  batch?: boolean;
}

/** The languages a job narrates: those asked for, else the agent's own followed by its targets. */
export const jobLanguages = (agent: SavedAgent, requested?: string[]) => [
  ...new Set(requested ?? [agent.language, ...agent.target_languages]),
];

/**
 * The agent as a job of this owner would run it now: providers it left out chosen from the keys there
 * are, the owner's or the server's (`withProviders`). Only whether a key exists is read, never the key.
 */
export async function agentForJob<
  A extends Pick<SavedAgent, 'llm_provider' | 'tts_provider' | 'default_voices'>,
>(
  { db, config }: Pick<JobServices, 'db' | 'config'>,
  ownerId: string,
  agent: A,
): Promise<A & Pick<Agent, 'llm_provider' | 'tts_provider'>> {
  const { llm_provider, tts_provider } = agent;
  if (llm_provider && tts_provider) return { ...agent, llm_provider, tts_provider };
  const has = async (provider: CredentialProvider, serverKey: string | undefined) =>
    Boolean(serverKey) || (await listCredentials(db, ownerId, provider)).length > 0;
  return withProviders(agent, {
    gemini: await has('gemini', config.GEMINI_API_KEY),
    'google-tts': await has('google-tts', config.GOOGLE_TTS_API_KEY),
  });
}

/** Records a job and starts its workflow (workflow id = job id); its snapshot has both providers. */
export async function startJob({ db, client, config }: JobServices, job: NewJob): Promise<string> {
  const jobId = randomUUID();
  const languages = jobLanguages(job.agent, job.languages);
  await insertJob(db, {
    id: jobId,
    owner_id: job.ownerId,
    agent_id: job.agentId ?? null,
    agent_snapshot: await agentForJob({ db, config }, job.ownerId, job.agent),
    title: job.title,
    variations: job.variations ?? 1,
    languages,
    workflow_id: jobId,
    budget_usd: job.budgetUsd ?? null,
    batch: job.batch ?? false,
  });
  await launch(
    { db, client, config },
    {
      id: jobId,
      owner_id: job.ownerId,
      batch: job.batch ?? false,
      source: job.agent.language,
      languages,
      variations: job.variations ?? 1,
    },
  );
  return jobId;
}

/** The owner's agent by id; an `agent_id` error when the user has no such agent. */
export async function ownAgent(services: Pick<JobServices, 'db'>, ownerId: string, agentId: string) {
  const agent = z.uuid().safeParse(agentId).success
    ? await getAgent(services.db, ownerId, agentId)
    : undefined;
  if (!agent) throw invalidField('agent_id', 'no such agent');
  return agent;
}

/** Starts a job with one of the owner's agents (snapshotted now). */
export async function startJobWithAgent(
  services: JobServices,
  ownerId: string,
  request: Omit<NewJob, 'ownerId' | 'agent' | 'agentId'> & { agentId: string },
): Promise<string> {
  const agent = await ownAgent(services, ownerId, request.agentId);
  return startJob(services, {
    ownerId,
    agent: agentSchema.parse(agent),
    agentId: agent.id,
    title: request.title,
    languages: request.languages,
    variations: request.variations,
    budgetUsd: request.budgetUsd,
    batch: request.batch,
  });
}

/**
 * Runs a failed or cancelled job again as a new run of the same workflow id. Steps whose outputs are in
 * storage return them at once, so the run resumes at the step that failed and pays for nothing twice.
 */
export async function retryJob(services: JobServices, job: JobRow): Promise<void> {
  if (job.status !== 'failed' && job.status !== 'cancelled') {
    throw conflict(
      'not_retryable',
      `Only failed or cancelled jobs can be retried; this one is ${job.status}`,
    );
  }
  await closed(services, job.workflow_id);
  await requeueJob(services.db, job.id);
  await launch(services, { ...job, source: job.agent_snapshot.language });
}

/** How long a retry waits for the run it replaces to close. */
const CLOSE_WAIT_MS = 30_000;

/**
 * Waits for a job's last run to close. Its status says failed or cancelled a moment before the run
 * closes (the run records it, then ends), and a new run cannot start while the old one is open.
 */
async function closed({ client }: JobServices, workflowId: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_WAIT_MS);
  });
  const ended = client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => undefined,
      () => undefined,
    );
  await Promise.race([ended, waited]).finally(() => clearTimeout(timer));
}

/** Asks a running job to stop: its narrations and the calls in flight are cancelled too. */
export async function cancelJob({ client }: JobServices, job: JobRow): Promise<void> {
  if (isFinished(job.status)) throw conflict('job_finished', `Job is already ${job.status}`);
  await client.workflow.getHandle(job.workflow_id).cancel();
}

/** Deletes a job, its files and its rows; a job still running is terminated first. */
export async function removeJob({ client, storage, db }: WithStorage, job: JobRow): Promise<void> {
  if (!isFinished(job.status)) {
    await client.workflow
      .getHandle(job.workflow_id)
      .terminate('job deleted')
      .catch(() => undefined);
  }
  await storage.deletePrefix(`jobs/${job.id}`);
  await deleteJob(db, job.id);
}

/** Temporal runs the tasks of interactive jobs before a batch's when they queue up (lower goes first). */
const PRIORITY = { interactive: 2, batch: 4 };

async function launch(
  { db, client, config }: JobServices,
  job: Pick<JobRow, 'id' | 'owner_id' | 'batch' | 'languages' | 'variations'> & { source: string },
) {
  const jobId = job.id;
  try {
    await client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: workflowIds.job(jobId),
      args: [{ jobId, source: job.source, languages: job.languages, variations: job.variations }],
      // Each user's tasks get an equal share of the workers where fairness is on (cluster.yaml).
      priority: {
        priorityKey: job.batch ? PRIORITY.batch : PRIORITY.interactive,
        fairnessKey: job.owner_id,
      },
    });
    metrics.jobsStarted.inc();
  } catch (err) {
    await updateJob(db, jobId, { status: 'failed', error: `could not start: ${(err as Error).message}` });
    throw err;
  }
}
