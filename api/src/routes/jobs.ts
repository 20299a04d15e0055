import { PassThrough } from 'node:stream';
import { primaryModel } from '@bolt/activities/providers';
import {
  admissionViewSchema,
  artifactViewSchema,
  blockChangeSchema,
  cancellingSchema,
  estimateJob,
  estimateViewSchema,
  itemsSchema,
  type JobDetail,
  type JobListItem,
  jobDetailSchema,
  jobPageSchema,
  jobRequestSchema,
  jobSorts,
  jobStatuses,
  jobUsageViewSchema,
  jobViewSchema,
  priceTable,
  withEnglishNames,
} from '@bolt/core';
import {
  findIdempotentJob,
  getOwnedJob,
  type JobRow,
  jobUsage,
  listArtifacts,
  listJobs,
  rememberIdempotentJob,
  usageByStep,
} from '@bolt/data';
import {
  admission,
  agentForJob,
  artifactView,
  cancelJob,
  editBlock,
  jobEvents,
  jobLanguages,
  jobProgress,
  jobView,
  ownAgent,
  removeJob,
  rerollBlock,
  restoreBlock,
  retryJob,
  startJobWithAgent,
  type WithLog,
  type WithStorage,
} from '@bolt/jobs';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { idParam, notFound, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';
import { voicesReady } from './agents.ts';
import type { VoiceCatalog } from './voices.ts';

const newJob = jobRequestSchema.extend({ agent_id: z.uuid() });
const blockEdit = z.object({ text: z.string().trim().min(1).max(20_000) });
const estimateBody = newJob.omit({ title: true, budget_usd: true }).extend({
  count: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe('How many jobs of this shape; a batch when more than one'),
});
const batch = newJob.omit({ title: true }).extend({
  titles: z.array(jobRequestSchema.shape.title).min(1).max(100),
});
const listQuery = z.object({
  status: z.enum(jobStatuses).optional(),
  agent_id: z.uuid().optional(),
  q: z.string().trim().max(500).optional().describe('Part of the title, in any case'),
  sort: z
    .enum(jobSorts)
    .default('newest')
    .describe('newest or oldest first, by title (A to Z), or costliest first'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});
const SSE_POLL_MS = 1000;
/** A job just started, with when quota should let it start and finish. */
const startedJob = jobViewSchema.extend({ admission: admissionViewSchema });
const jobBatch = itemsSchema(jobViewSchema).extend({ admission: admissionViewSchema });
const artifactList = itemsSchema(artifactViewSchema);

export const jobDocs: Record<string, RouteDoc> = {
  'POST /api/jobs': {
    summary: 'Start a job (send Idempotency-Key to make retries safe: a repeat answers 200 with the job)',
    body: newJob,
    status: [201, 200],
    response: startedJob,
  },
  'POST /api/jobs/estimate': {
    summary:
      "A job's likely LLM calls, tokens, speech characters and cost, before starting it, and when quota should let `count` such jobs start and finish",
    body: estimateBody,
    response: estimateViewSchema,
  },
  'POST /api/jobs/batch': {
    summary:
      'Start one job per title (up to 100), as batch work: its provider calls wait behind interactive work when quota is short',
    body: batch,
    status: 201,
    response: jobBatch,
  },
  'POST /api/jobs/:id/retry': {
    summary: 'Run a failed or cancelled job again from the step that failed',
    status: 202,
    response: jobViewSchema,
  },
  'GET /api/jobs': {
    summary:
      "The user's jobs, newest first unless sorted otherwise; each item has cost_usd, its cost so far (in all once finished) from the usage ledger",
    query: listQuery,
    response: jobPageSchema,
  },
  'GET /api/jobs/:id': {
    summary: 'A job, its step-level progress and its workflow in the Temporal Web UI (temporal_ui_url)',
    response: jobDetailSchema,
  },
  'GET /api/jobs/:id/events': {
    summary: 'Server-Sent Events: progress, then end',
    produces: 'text/event-stream',
  },
  'POST /api/jobs/:id/cancel': {
    summary: 'Cancel a job (its narrations and running calls stop too)',
    status: 202,
    response: cancellingSchema,
  },
  'GET /api/jobs/:id/usage': {
    summary: 'What the job used and cost: totals and per step (usage ledger)',
    response: jobUsageViewSchema,
  },
  'PUT /api/jobs/:id/variations/:variation/languages/:language/blocks/:block': {
    summary: "Replace one block of a finished job's script (1-based); only its speech is made again",
    body: blockEdit,
    status: 202,
    response: blockChangeSchema,
  },
  'POST /api/jobs/:id/variations/:variation/languages/:language/blocks/:block/reroll': {
    summary: 'New text from the model for one block of a finished job (a paid call), then its speech again',
    status: 202,
    response: blockChangeSchema,
  },
  'POST /api/jobs/:id/variations/:variation/languages/:language/blocks/:block/restore': {
    summary: "Bring back a block's take from before its last edit or re-roll (409 when it has none)",
    status: 202,
    response: blockChangeSchema,
  },
  'DELETE /api/jobs/:id': { summary: 'Delete a job and its files', status: 204 },
  'GET /api/jobs/:id/artifacts': { summary: "A job's files", response: artifactList },
};

export function jobRoutes(services: WithLog & WithStorage, voices: VoiceCatalog): Router {
  const { db, config } = services;
  const prices = priceTable(config.BOLT_PRICES);
  // The Web UI: the configured one, or the embedded server's on its port; unknown for an external cluster.
  const uiBase =
    config.TEMPORAL_UI_URL ??
    (config.TEMPORAL_ADDRESS ? undefined : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`);
  const temporalUiUrl = (job: JobRow) =>
    uiBase
      ? `${uiBase.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(job.workflow_id)}`
      : null;
  const router = new Router({ prefix: '/jobs' });
  const owner = (ctx: Context) => ctx.state.user.id as string;
  /** The job as the API shows it, read again after a change. */
  const current = async (ctx: Context, id: string) => {
    const job = await getOwnedJob(db, owner(ctx), id);
    if (!job) throw notFound('job');
    return jobView(job);
  };
  /**
   * What `jobs` jobs of this shape would use (priced with the providers a job started now would use),
   * and when quota should let them start and finish.
   */
  const plan = async (
    ownerId: string,
    body: { agent_id: string; languages?: string[]; variations: number },
    jobs: number,
    batch: boolean,
  ) => {
    const agent = await agentForJob(services, ownerId, await ownAgent(services, ownerId, body.agent_id));
    const shape = { languages: jobLanguages(agent, body.languages), variations: body.variations };
    const estimate = estimateJob(agent, shape, prices, primaryModel(agent));
    return { agent, estimate, admission: await admission(services, ownerId, agent, estimate, jobs, batch) };
  };
  const load = async (ctx: Context) => {
    const job = await getOwnedJob(db, owner(ctx), idParam(ctx.params.id, 'job'));
    if (!job) throw notFound('job');
    return job;
  };

  router.post('/', async (ctx) => {
    const body = parse(newJob, withEnglishNames(ctx.request.body));
    const key = ctx.get('Idempotency-Key').slice(0, 200);
    const existing = key ? await findIdempotentJob(db, owner(ctx), key) : undefined;
    const { admission } = await plan(owner(ctx), body, 1, false);
    if (existing) {
      ctx.status = 200;
      ctx.body = { ...(await current(ctx, existing)), admission } satisfies z.infer<typeof startedJob>;
      return;
    }
    await voicesReady(db, voices, owner(ctx), body.agent_id);
    const jobId = await startJobWithAgent(services, owner(ctx), {
      agentId: body.agent_id,
      title: body.title,
      languages: body.languages,
      variations: body.variations,
      budgetUsd: body.budget_usd,
    });
    if (key) await rememberIdempotentJob(db, owner(ctx), key, jobId);
    ctx.status = 201;
    ctx.set('Location', `/api/jobs/${jobId}`);
    ctx.body = { ...(await current(ctx, jobId)), admission } satisfies z.infer<typeof startedJob>;
  });

  router.post('/estimate', async (ctx) => {
    const body = parse(estimateBody, withEnglishNames(ctx.request.body));
    const { agent, estimate, admission } = await plan(owner(ctx), body, body.count, body.count > 1);
    ctx.body = {
      ...estimate,
      model: primaryModel(agent),
      tts_provider: agent.tts_provider,
      admission,
    } satisfies z.infer<typeof estimateViewSchema>;
  });

  router.post('/batch', async (ctx) => {
    const body = parse(batch, withEnglishNames(ctx.request.body));
    const { admission } = await plan(owner(ctx), body, body.titles.length, true);
    await voicesReady(db, voices, owner(ctx), body.agent_id);
    const items = [];
    for (const title of body.titles) {
      const jobId = await startJobWithAgent(services, owner(ctx), {
        agentId: body.agent_id,
        title,
        languages: body.languages,
        variations: body.variations,
        budgetUsd: body.budget_usd,
        batch: true,
      });
      items.push(await current(ctx, jobId));
    }
    ctx.status = 201;
    ctx.body = { items, admission } satisfies z.infer<typeof jobBatch>;
  });

  router.post('/:id/retry', async (ctx) => {
    const job = await load(ctx);
    await retryJob(services, job);
    ctx.status = 202;
    ctx.body = await current(ctx, job.id);
  });

  router.get('/', async (ctx) => {
    const q = parse(listQuery, ctx.query);
    const { items, total } = await listJobs(db, owner(ctx), {
      status: q.status,
      agentId: q.agent_id,
      q: q.q || undefined,
      sort: q.sort,
      limit: q.limit,
      offset: q.offset,
    });
    ctx.body = {
      items: items.map((job): JobListItem => ({ ...jobView(job), cost_usd: job.cost_usd })),
      total,
      limit: q.limit,
      offset: q.offset,
    } satisfies z.infer<typeof jobPageSchema>;
  });

  router.get('/:id', async (ctx) => {
    const job = await load(ctx);
    const progress = await jobProgress(services, job.id);
    ctx.body = {
      ...jobView(job),
      steps: progress?.steps ?? [],
      usage: await jobUsage(db, job.id),
      temporal_ui_url: temporalUiUrl(job),
    } satisfies JobDetail;
  });

  router.get('/:id/usage', async (ctx) => {
    const job = await load(ctx);
    ctx.body = {
      totals: await jobUsage(db, job.id),
      steps: await usageByStep(db, job.id),
    } satisfies z.infer<typeof jobUsageViewSchema>;
  });

  /** The block a route names (1-based in the address). */
  const blockRef = (ctx: Context) => ({
    variation: Number(ctx.params.variation),
    language: ctx.params.language as string,
    block: Number(ctx.params.block) - 1,
  });
  const changed = async (ctx: Context, job: { id: string }, workflowId: string) => {
    ctx.status = 202;
    ctx.body = {
      workflow_id: workflowId,
      steps: (await jobProgress(services, job.id))?.steps ?? [],
    } satisfies z.infer<typeof blockChangeSchema>;
  };
  const blockPath = '/:id/variations/:variation/languages/:language/blocks/:block';

  router.put(blockPath, async (ctx) => {
    const job = await load(ctx);
    const { text } = parse(blockEdit, ctx.request.body);
    await changed(ctx, job, await editBlock(services, job, { ...blockRef(ctx), text }));
  });

  router.post(`${blockPath}/reroll`, async (ctx) => {
    const job = await load(ctx);
    await changed(ctx, job, await rerollBlock(services, job, blockRef(ctx)));
  });

  router.post(`${blockPath}/restore`, async (ctx) => {
    const job = await load(ctx);
    await changed(ctx, job, await restoreBlock(services, job, blockRef(ctx)));
  });

  router.get('/:id/events', async (ctx) => {
    const job = await load(ctx);
    const stream = new PassThrough();
    ctx.req.socket.setTimeout(0);
    ctx.set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    ctx.status = 200;
    ctx.body = stream;
    const left = new AbortController();
    ctx.req.on('close', () => left.abort());
    const events = jobEvents(services, job, {
      after: Number(ctx.get('Last-Event-ID')) || -1,
      signal: left.signal,
      pollMs: SSE_POLL_MS,
    });
    void (async () => {
      stream.write('retry: 2000\n\n');
      for await (const e of events) {
        const id = 'id' in e ? `id: ${e.id}\n` : '';
        stream.write(`event: ${e.event}\n${id}data: ${JSON.stringify(e.data)}\n\n`);
      }
      stream.end();
    })();
  });

  router.post('/:id/cancel', async (ctx) => {
    const job = await load(ctx);
    await cancelJob(services, job);
    ctx.status = 202;
    ctx.body = { id: job.id, status: 'cancelling' } satisfies z.infer<typeof cancellingSchema>;
  });

  router.delete('/:id', async (ctx) => {
    await removeJob(services, await load(ctx));
    ctx.status = 204;
  });

  router.get('/:id/artifacts', async (ctx) => {
    const job = await load(ctx);
    ctx.body = { items: (await listArtifacts(db, job.id)).map(artifactView) } satisfies z.infer<
      typeof artifactList
    >;
  });
  return router;
}
