import type { Agent, AgentInput, ArtifactKind, JobStatus } from '@bolt/core';
import { agentSchema } from '@bolt/core';
import type { Knex } from 'knex';

export interface JobRow {
  id: string;
  owner_id: string;
  agent_id: string | null;
  agent_snapshot: Agent;
  titulo: string;
  num_variacoes: number;
  languages: string[];
  status: JobStatus;
  workflow_id: string;
  error: string | null;
  chars_processados_tts: number;
  duracao_total_segundos: number;
  result: JobResult | null;
  budget_usd: number | null;
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
}

export interface JobResult {
  premise: string;
  /** Variation 1's scripts and audio (what the original system called roteiros_adaptados / audios_gerados). */
  scripts: Record<string, string>;
  audio: Record<string, string>;
  variations: VariationResult[];
}

export interface ArtifactRow {
  id: string;
  job_id: string;
  kind: ArtifactKind;
  language: string | null;
  variation: number;
  storage_key: string;
  size: number;
  sha256: string;
  content_type: string;
  duration_seconds: number | null;
}

export type AgentRow = Agent & { id: string; owner_id: string; created_at: Date; updated_at: Date };

/** The single local operator account that owns jobs started from the CLI and the example agents. */
const LOCAL_USER_EMAIL = 'local@bolt.localhost';

export async function ensureLocalUser(db: Knex): Promise<string> {
  await db('users').insert({ email: LOCAL_USER_EMAIL }).onConflict('email').ignore();
  const row = await db('users').where({ email: LOCAL_USER_EMAIL }).first('id');
  return row.id as string;
}

const jsonAgentFields = ['idiomas_alvo', 'cultural_configs', 'default_voices', 'pronunciation'] as const;

function agentToRow(agent: Agent) {
  const row: Record<string, unknown> = { ...agent };
  for (const f of jsonAgentFields) row[f] = JSON.stringify(agent[f]);
  return row;
}

/** Creates an agent unless the owner already has one with that name. */
export async function createAgentIfMissing(db: Knex, ownerId: string, input: AgentInput): Promise<void> {
  await db('agents')
    .insert({ owner_id: ownerId, ...agentToRow(agentSchema.parse(input)) })
    .onConflict(['owner_id', 'name'])
    .ignore();
}

/** Inserts an agent; undefined when the owner already has one with that name. */
export async function insertAgent(db: Knex, ownerId: string, agent: Agent): Promise<AgentRow | undefined> {
  const [row] = await db('agents')
    .insert({ owner_id: ownerId, ...agentToRow(agent) })
    .onConflict(['owner_id', 'name'])
    .ignore()
    .returning('*');
  return row ? toAgent(row) : undefined;
}

export async function getAgent(db: Knex, ownerId: string, id: string): Promise<AgentRow | undefined> {
  const row = await db('agents').where({ owner_id: ownerId, id }).first();
  return row ? toAgent(row) : undefined;
}

/** Replaces an agent's fields; undefined when it does not exist, 'name_taken' on a name clash. */
export async function updateAgent(
  db: Knex,
  ownerId: string,
  id: string,
  agent: Agent,
): Promise<AgentRow | undefined | 'name_taken'> {
  const clash = await db('agents')
    .where({ owner_id: ownerId, name: agent.name })
    .whereNot({ id })
    .first('id');
  if (clash) return 'name_taken';
  const [row] = await db('agents')
    .where({ owner_id: ownerId, id })
    .update({ ...agentToRow(agent), updated_at: db.fn.now() })
    .returning('*');
  return row ? toAgent(row) : undefined;
}

export async function deleteAgent(db: Knex, ownerId: string, id: string): Promise<boolean> {
  return (await db('agents').where({ owner_id: ownerId, id }).delete()) > 0;
}

export async function findAgentByName(
  db: Knex,
  ownerId: string,
  name: string,
): Promise<AgentRow | undefined> {
  const row = await db('agents')
    .where({ owner_id: ownerId })
    .whereRaw('lower(name) = lower(?)', [name])
    .first();
  return row ? toAgent(row) : undefined;
}

export async function listAgents(db: Knex, ownerId: string): Promise<AgentRow[]> {
  return (await db('agents').where({ owner_id: ownerId }).orderBy('name')).map(toAgent);
}

function toAgent(row: Record<string, unknown>): AgentRow {
  return {
    ...agentSchema.parse(row),
    id: row.id as string,
    owner_id: row.owner_id as string,
    created_at: row.created_at as Date,
    updated_at: row.updated_at as Date,
  };
}

export async function insertJob(
  db: Knex,
  job: Pick<
    JobRow,
    | 'id'
    | 'owner_id'
    | 'agent_id'
    | 'agent_snapshot'
    | 'titulo'
    | 'num_variacoes'
    | 'languages'
    | 'workflow_id'
  > &
    Partial<Pick<JobRow, 'budget_usd'>>,
): Promise<void> {
  await db('jobs').insert({
    ...job,
    agent_snapshot: JSON.stringify(job.agent_snapshot),
    languages: JSON.stringify(job.languages),
  });
}

/** Snapshots taken before a field existed get its default, so old jobs read like new ones. */
const toJob = (row: JobRow | undefined): JobRow | undefined =>
  row && { ...row, agent_snapshot: agentSchema.parse(row.agent_snapshot) };

export async function getJob(db: Knex, id: string): Promise<JobRow | undefined> {
  return toJob(await db('jobs').where({ id }).first());
}

export async function updateJob(
  db: Knex,
  id: string,
  patch: Partial<
    Pick<JobRow, 'status' | 'error' | 'chars_processados_tts' | 'duracao_total_segundos' | 'finished_at'>
  > & {
    result?: JobResult;
  },
): Promise<void> {
  const { result, ...rest } = patch;
  await db('jobs')
    .where({ id })
    .update({ ...rest, ...(result ? { result: JSON.stringify(result) } : {}), updated_at: db.fn.now() });
}

/** Records an artifact; recording the same storage key twice keeps one row (activities may retry). */
export async function recordArtifact(db: Knex, a: Omit<ArtifactRow, 'id'>): Promise<void> {
  await db('artifacts').insert(a).onConflict(['job_id', 'storage_key']).merge();
}

export async function listArtifacts(db: Knex, jobId: string): Promise<ArtifactRow[]> {
  return db('artifacts').where({ job_id: jobId }).orderBy(['kind', 'language', 'storage_key']);
}

export async function getOwnedJob(db: Knex, ownerId: string, id: string): Promise<JobRow | undefined> {
  return toJob(await db('jobs').where({ owner_id: ownerId, id }).first());
}

export interface JobFilter {
  status?: string;
  agentId?: string;
  limit: number;
  offset: number;
}

/** A page of the owner's jobs, newest first, and how many match in all. */
export async function listJobs(
  db: Knex,
  ownerId: string,
  f: JobFilter,
): Promise<{ items: JobRow[]; total: number }> {
  const query = db('jobs').where({ owner_id: ownerId });
  if (f.status) query.andWhere({ status: f.status });
  if (f.agentId) query.andWhere({ agent_id: f.agentId });
  const [counted] = await query.clone().count({ count: '*' });
  const items = await query
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
    .limit(f.limit)
    .offset(f.offset);
  return { items, total: Number(counted?.count ?? 0) };
}

export async function deleteJob(db: Knex, id: string): Promise<void> {
  await db('jobs').where({ id }).delete();
}

/** An artifact with its job's owner, so callers can check access in one query. */
export async function getArtifact(
  db: Knex,
  id: string,
): Promise<(ArtifactRow & { owner_id: string }) | undefined> {
  return db('artifacts')
    .join('jobs', 'jobs.id', 'artifacts.job_id')
    .where('artifacts.id', id)
    .first('artifacts.*', 'jobs.owner_id');
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
