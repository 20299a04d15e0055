import {
  type AgentView,
  agentSchema,
  agentViewSchema,
  itemsSchema,
  type SavedAgent,
  type VoiceCheck,
  withEnglishNames,
} from '@bolt/core';
import {
  type AgentRow,
  type Db,
  deleteAgent,
  getAgent,
  insertAgent,
  listAgents,
  setVoiceCheck,
  updateAgent,
} from '@bolt/data';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { HttpError, idParam, notFound, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';
import { unknownVoices, type VoiceCatalog } from './voices.ts';

const nameTaken = (name: string) =>
  new HttpError(409, 'name_taken', `You already have an agent named "${name}"`);

/** The agent as the API shows it: its fields plus id and timestamps, never the owner. */
export const agentView = ({ owner_id: _, ...agent }: AgentRow): AgentView => agent;
const agentList = itemsSchema(agentViewSchema);

/**
 * Checks an agent's voices as it is saved: a voice the provider says it lacks is a 400; a provider that
 * cannot be asked now does not block the save, the agent is saved with its voices "not checked".
 */
async function checkOnSave(voices: VoiceCatalog, ownerId: string, agent: SavedAgent): Promise<VoiceCheck> {
  const check = await voices.check(ownerId, agent);
  if (check.status === 'invalid') throw unknownVoices(check);
  return check;
}

/** Validates and stores a new agent (voices checked with its provider); 409 when the name is taken. */
export async function createAgent(db: Db, voices: VoiceCatalog, ownerId: string, input: unknown) {
  const agent = parse(agentSchema, withEnglishNames(input));
  const row = await insertAgent(db, ownerId, agent, await checkOnSave(voices, ownerId, agent));
  if (!row) throw nameTaken(agent.name);
  return agentView(row);
}

/** Validates and stores an agent's new fields (voices checked again); 404 for no such agent of the owner. */
export async function replaceAgent(
  db: Db,
  voices: VoiceCatalog,
  ownerId: string,
  id: string,
  input: unknown,
) {
  if (!(await getAgent(db, ownerId, id))) throw notFound('agent');
  const agent = parse(agentSchema, withEnglishNames(input));
  const row = await updateAgent(db, ownerId, id, agent, await checkOnSave(voices, ownerId, agent));
  if (row === 'name_taken') throw nameTaken(agent.name);
  if (!row) throw notFound('agent');
  return agentView(row);
}

/** An agent whose voices could not be checked is checked again when read and before a job starts. */
export async function recheckVoices(db: Db, voices: VoiceCatalog, row: AgentRow): Promise<AgentRow> {
  if (row.voice_check.status !== 'not_checked') return row;
  const check = await voices.check(row.owner_id, row);
  if (check.status === 'not_checked' && check.reason === row.voice_check.reason) return row;
  return (await setVoiceCheck(db, row.owner_id, row.id, check)) ?? row;
}

/**
 * Before a job starts with an agent: its voices checked if they were not yet, and a 422 naming the
 * voices its provider does not have. A provider still unreachable lets the job start (its speech step
 * says so clearly if a voice is missing).
 */
export async function voicesReady(db: Db, voices: VoiceCatalog, ownerId: string, agentId: string) {
  const row = z.uuid().safeParse(agentId).success ? await getAgent(db, ownerId, agentId) : undefined;
  if (!row) return; // starting the job names the missing agent
  const { voice_check: check } = await recheckVoices(db, voices, row);
  if (check.status === 'invalid')
    throw new HttpError(
      422,
      'invalid_voice',
      `The agent "${row.name}" has voices its speech provider does not have (${check.reason}): pick others in the agent.`,
      check.fields,
    );
}

export const agentDocs: Record<string, RouteDoc> = {
  'GET /api/agents': { summary: "The user's agents", response: agentList },
  'POST /api/agents': {
    summary: 'Create an agent',
    body: agentSchema,
    status: 201,
    response: agentViewSchema,
  },
  'POST /api/agents/import': {
    summary: 'Create an agent from an exported JSON',
    body: agentSchema,
    status: 201,
    response: agentViewSchema,
  },
  'GET /api/agents/:id': { summary: 'One agent', response: agentViewSchema },
  'GET /api/agents/:id/export': {
    summary: 'An agent as a JSON file to import elsewhere',
    response: agentSchema,
  },
  'PUT /api/agents/:id': { summary: 'Replace an agent', body: agentSchema, response: agentViewSchema },
  'POST /api/agents/:id/duplicate': {
    summary: 'Copy an agent under a new name',
    status: 201,
    response: agentViewSchema,
  },
  'DELETE /api/agents/:id': { summary: 'Delete an agent (its jobs keep their snapshot)', status: 204 },
};

/** CRUD, duplicate, export and import of the signed-in user's agents. */
export function agentRoutes(db: Db, voices: VoiceCatalog): Router {
  const router = new Router({ prefix: '/agents' });
  const owner = (ctx: Context) => ctx.state.user.id as string;
  const load = async (ctx: Context) => {
    const agent = await getAgent(db, owner(ctx), idParam(ctx.params.id, 'agent'));
    if (!agent) throw notFound('agent');
    return agent;
  };
  const create = async (ctx: Context, input: unknown) => {
    ctx.body = await createAgent(db, voices, owner(ctx), input);
    ctx.status = 201;
  };

  router.get('/', async (ctx) => {
    ctx.body = { items: (await listAgents(db, owner(ctx))).map(agentView) } satisfies z.infer<
      typeof agentList
    >;
  });
  router.post('/', (ctx) => create(ctx, ctx.request.body));
  router.post('/import', (ctx) => create(ctx, ctx.request.body));
  router.get('/:id', async (ctx) => {
    ctx.body = agentView(await recheckVoices(db, voices, await load(ctx)));
  });
  router.get('/:id/export', async (ctx) => {
    const agent = agentSchema.parse(await load(ctx));
    ctx.set('Content-Disposition', `attachment; filename="${encodeURIComponent(agent.name)}.json"`);
    ctx.body = agent;
  });
  router.put('/:id', async (ctx) => {
    ctx.body = await replaceAgent(db, voices, owner(ctx), idParam(ctx.params.id, 'agent'), ctx.request.body);
  });
  router.post('/:id/duplicate', async (ctx) => {
    const original = await load(ctx);
    const source = agentSchema.parse(original);
    for (let n = 1; n <= 50; n++) {
      const name = `${source.name} (${n === 1 ? 'copy' : `copy ${n}`})`.slice(0, 120);
      const row = await insertAgent(db, owner(ctx), { ...source, name }, original.voice_check);
      if (row) {
        ctx.status = 201;
        ctx.body = agentView(row);
        return;
      }
    }
    throw nameTaken(`${source.name} (copy)`);
  });
  router.delete('/:id', async (ctx) => {
    if (!(await deleteAgent(db, owner(ctx), idParam(ctx.params.id, 'agent')))) throw notFound('agent');
    ctx.status = 204;
  });
  return router;
}
