import type { AgentInput, SavedAgent, VoiceCheck } from '@bolt/core';
import { agentSchema } from '@bolt/core';
import type { Knex } from 'knex';

export type AgentRow = SavedAgent & {
  id: string;
  owner_id: string;
  voice_check: VoiceCheck;
  created_at: Date;
  updated_at: Date;
};

const checked: VoiceCheck = { status: 'checked' };

const jsonAgentFields = [
  'target_languages',
  'cultural_configs',
  'default_voices',
  'pronunciation',
  'voice_settings',
] as const;

/** Providers left out are stored as null (not skipped), so replacing an agent can clear them. */
const providerFields = ['llm_provider', 'tts_provider'] as const;

function agentToRow(agent: SavedAgent) {
  const row: Record<string, unknown> = { ...agent };
  for (const f of jsonAgentFields) row[f] = JSON.stringify(agent[f]);
  for (const f of providerFields) row[f] = agent[f] ?? null;
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
export async function insertAgent(
  db: Knex,
  ownerId: string,
  agent: SavedAgent,
  voiceCheck: VoiceCheck = checked,
): Promise<AgentRow | undefined> {
  const [row] = await db('agents')
    .insert({ owner_id: ownerId, ...agentToRow(agent), voice_check: JSON.stringify(voiceCheck) })
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
  agent: SavedAgent,
  voiceCheck: VoiceCheck = checked,
): Promise<AgentRow | undefined | 'name_taken'> {
  const clash = await db('agents')
    .where({ owner_id: ownerId, name: agent.name })
    .whereNot({ id })
    .first('id');
  if (clash) return 'name_taken';
  const [row] = await db('agents')
    .where({ owner_id: ownerId, id })
    .update({ ...agentToRow(agent), voice_check: JSON.stringify(voiceCheck), updated_at: db.fn.now() })
    .returning('*');
  return row ? toAgent(row) : undefined;
}

/** Records what a later check of an agent's voices found (its fields unchanged). */
export async function setVoiceCheck(
  db: Knex,
  ownerId: string,
  id: string,
  voiceCheck: VoiceCheck,
): Promise<AgentRow | undefined> {
  const [row] = await db('agents')
    .where({ owner_id: ownerId, id })
    .update({ voice_check: JSON.stringify(voiceCheck) })
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
  const fields = { ...row };
  for (const f of providerFields) if (fields[f] === null) delete fields[f];
  return {
    ...agentSchema.parse(fields),
    id: row.id as string,
    owner_id: row.owner_id as string,
    voice_check: (row.voice_check as VoiceCheck | undefined) ?? checked,
    created_at: row.created_at as Date,
    updated_at: row.updated_at as Date,
  };
}
