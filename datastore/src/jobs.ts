import type { Agent, JobQuality, JobSort, JobStatus, NarrationQuality } from '@bolt/core';
import { jobAgentSchema, withEnglishNames } from '@bolt/core';
import type { Knex } from 'knex';

export interface JobRow {
  id: string;
  owner_id: string;
  agent_id: string | null;
  agent_snapshot: Agent;
  title: string;
  variations: number;
  languages: string[];
  status: JobStatus;
  workflow_id: string;
  error: string | null;
  tts_chars: number;
  audio_seconds: number;
  result: JobResult | null;
  budget_usd: number | null;
  /** Started as one of a batch: its provider calls wait behind interactive work when quota is short. */
  batch: boolean;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

/** Storage keys of what one variation delivers, per language. */
export interface VariationResult {
  variation: number;
  scripts: Record<string, string>;
  audio: Record<string, string>;
  subtitles: Record<string, { srt: string; vtt: string }>;
  /** Per language; absent for narrations made before the quality checks. */
  quality?: Record<string, NarrationQuality>;
}

export interface JobResult {
  premise: string;
  /** Variation 1's scripts and audio (what the original system called roteiros_adaptados / audios_gerados). */
  scripts: Record<string, string>;
  audio: Record<string, string>;
  variations: VariationResult[];
  /** The verdicts of every narration's quality checks; absent for jobs made before them. */
  quality?: JobQuality;
}

export async function insertJob(
  db: Knex,
  job: Pick<
    JobRow,
    'id' | 'owner_id' | 'agent_id' | 'agent_snapshot' | 'title' | 'variations' | 'languages' | 'workflow_id'
  > &
    Partial<Pick<JobRow, 'budget_usd' | 'batch'>>,
): Promise<void> {
  await db('jobs').insert({
    ...job,
    agent_snapshot: JSON.stringify(job.agent_snapshot),
    languages: JSON.stringify(job.languages),
  });
}

/**
 * Snapshots taken before a field existed get its default, and those stored under the original system's
 * names are read under Bolt's, so old jobs read like new ones.
 */
const toJob = (row: JobRow | undefined): JobRow | undefined =>
  row && { ...row, agent_snapshot: jobAgentSchema.parse(withEnglishNames(row.agent_snapshot)) };

export async function getJob(db: Knex, id: string): Promise<JobRow | undefined> {
  return toJob(await db('jobs').where({ id }).first());
}

export async function updateJob(
  db: Knex,
  id: string,
  patch: Partial<Pick<JobRow, 'status' | 'error' | 'tts_chars' | 'audio_seconds' | 'finished_at'>> & {
    result?: JobResult;
  },
): Promise<void> {
  const { result, ...rest } = patch;
  await db('jobs')
    .where({ id })
    .update({ ...rest, ...(result ? { result: JSON.stringify(result) } : {}), updated_at: db.fn.now() });
}

/** Marks a job running as its workflow starts (a queued job, or a failed or cancelled one run again). */
export async function markJobRunning(db: Knex, id: string): Promise<void> {
  await db('jobs')
    .where({ id })
    .whereIn('status', ['queued', 'failed', 'cancelled'])
    .update({ status: 'running', error: null });
}

/** Puts a failed or cancelled job back in the queue before its workflow runs again. */
export async function requeueJob(db: Knex, id: string): Promise<void> {
  await db('jobs').where({ id }).update({ status: 'queued', error: null, finished_at: null });
}

export async function getOwnedJob(db: Knex, ownerId: string, id: string): Promise<JobRow | undefined> {
  return toJob(await db('jobs').where({ owner_id: ownerId, id }).first());
}

export interface JobFilter {
  status?: string;
  agentId?: string;
  /** Part of the title, any case. */
  q?: string;
  sort?: JobSort;
  limit: number;
  offset: number;
}

/** A listed job with what it has cost so far, from the usage ledger. */
export type ListedJob = JobRow & { cost_usd: number };

/** `%`, `_` and `\` stand for themselves in a LIKE pattern. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A page of the owner's jobs (newest first unless sorted otherwise), each with its cost, and how many
 * match in all. The cost is a subquery per listed row on usage(job_id), so a page costs one query;
 * PostgreSQL evaluates it after the limit unless the page is sorted by it.
 */
export async function listJobs(
  db: Knex,
  ownerId: string,
  f: JobFilter,
): Promise<{ items: ListedJob[]; total: number }> {
  const query = db('jobs').where({ owner_id: ownerId });
  if (f.status) query.andWhere({ status: f.status });
  if (f.agentId) query.andWhere({ agent_id: f.agentId });
  // ILIKE on the title is served by the trigram index (migration 010) where pg_trgm exists.
  if (f.q) query.andWhere('title', 'ilike', `%${likeEscaped(f.q)}%`);
  const [counted] = await query.clone().count({ count: '*' });
  const cost = db.raw(
    '(select coalesce(sum(u.cost_usd), 0)::float from usage u where u.job_id = jobs.id) as cost_usd',
  );
  const order: Record<JobSort, string> = {
    newest: 'created_at desc, id',
    oldest: 'created_at asc, id',
    title: 'lower(title), created_at desc, id',
    cost: 'cost_usd desc, created_at desc, id',
  };
  const rows = await query
    .select('jobs.*', cost)
    .orderByRaw(order[f.sort ?? 'newest'])
    .limit(f.limit)
    .offset(f.offset);
  return { items: rows as ListedJob[], total: Number(counted?.count ?? 0) };
}

export async function deleteJob(db: Knex, id: string): Promise<void> {
  await db('jobs').where({ id }).delete();
}

export async function findIdempotentJob(db: Knex, userId: string, key: string): Promise<string | undefined> {
  return (await db('idempotency_keys').where({ user_id: userId, key }).first('job_id'))?.job_id;
}

export async function rememberIdempotentJob(
  db: Knex,
  userId: string,
  key: string,
  jobId: string,
): Promise<void> {
  await db('idempotency_keys')
    .insert({ user_id: userId, key, job_id: jobId })
    .onConflict(['user_id', 'key'])
    .ignore();
}
