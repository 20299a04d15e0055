import type { Agent, AgentInput, JobStatus } from '@bolt/core';
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
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface JobResult {
  premise: string;
  scripts: Record<string, string>;
  audio: Record<string, string>;
}

export interface ArtifactRow {
  id: string;
  job_id: string;
  kind: 'premise' | 'script' | 'audio';
  language: string | null;
  variation: number;
  storage_key: string;
  size: number;
  sha256: string;
  content_type: string;
  duration_seconds: number | null;
}

export type AgentRow = Agent & { id: string; owner_id: string };

/** The single local operator account that owns jobs started from the CLI and the example agents. */
export const LOCAL_USER_EMAIL = 'local@bolt.localhost';

export async function ensureLocalUser(db: Knex): Promise<string> {
  await db('users').insert({ email: LOCAL_USER_EMAIL }).onConflict('email').ignore();
  const row = await db('users').where({ email: LOCAL_USER_EMAIL }).first('id');
  return row.id as string;
}

const jsonAgentFields = ['idiomas_alvo', 'cultural_configs', 'default_voices'] as const;

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
  return { ...agentSchema.parse(row), id: row.id as string, owner_id: row.owner_id as string };
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
  >,
): Promise<void> {
  await db('jobs').insert({
    ...job,
    agent_snapshot: JSON.stringify(job.agent_snapshot),
    languages: JSON.stringify(job.languages),
  });
}

export async function getJob(db: Knex, id: string): Promise<JobRow | undefined> {
  return db('jobs').where({ id }).first();
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
