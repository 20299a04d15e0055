import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { insertJob, recordUsage, updateJob } from '@bolt/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { type ApiHarness, signUp, startApi } from './support/api.ts';
import { repoRoot } from './support/env.ts';

/** The test agent on Gemini and Google voices, which the fakes answer with costs in the usage ledger. */
const cloudAgent = (name: string) => ({
  ...JSON.parse(fs.readFileSync(`${repoRoot}/test/fixtures/agent.json`, 'utf8')),
  name,
  llm_provider: 'gemini',
  tts_provider: 'google',
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C' },
});

describe('the job list over HTTP: search, sort and cost', () => {
  let h: ApiHarness;
  let fake: FakeProviders;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let bob: Awaited<ReturnType<typeof signUp>>;
  let agentId: string;
  /** Seeded jobs by title, each with the cost its usage rows add up to. */
  const seeded = new Map<string, { id: string; cost: number }>();
  const titles = (res: { json: { items: Array<{ title: string }> } }) => res.json.items.map((j) => j.title);

  beforeAll(async () => {
    fake = await startFakeProviders();
    h = await startApi({
      ...fake.env,
      GEMINI_API_KEY: 'valid-list-gemini',
      GOOGLE_TTS_API_KEY: 'valid-list-tts',
    });
    alice = await signUp(h.url, `list-alice-${Date.now()}@example.com`);
    bob = await signUp(h.url, `list-bob-${Date.now()}@example.com`);
    const agent = await alice.api('POST', '/api/agents', cloudAgent('Listed'));
    expect(agent.status).toBe(201);
    agentId = agent.json.id;

    // Finished jobs straight into the tables the API reads (no workflow needed to list them), a minute
    // apart, oldest first, with usage rows for their cost.
    const db = h.stack.db;
    const snapshot = (await db('agents').where({ id: agentId }).first()) as Record<string, unknown>;
    const rows: Array<[title: string, costs: number[]]> = [
      ['The Great Molasses Flood', [0.01, 0.02]],
      ['molasses in January', [0.5]],
      ['100% pure', []],
      ['snake_case title', [0.003]],
      ['Zebra crossing', [0.2, 0.1]],
    ];
    const start = Date.now() - 3_600_000;
    for (const [i, [title, costs]] of rows.entries()) {
      const id = randomUUID();
      await insertJob(db, {
        id,
        owner_id: alice.id,
        agent_id: agentId,
        agent_snapshot: { ...snapshot, name: 'Listed' } as never,
        title,
        variations: 1,
        languages: ['pt-BR'],
        workflow_id: `seeded-${id}`,
      });
      await updateJob(db, id, { status: i === 1 ? 'failed' : 'completed', finished_at: new Date() });
      await db('jobs')
        .where({ id })
        .update({ created_at: new Date(start + i * 60_000) });
      for (const cost of costs)
        await recordUsage(db, {
          job_id: id,
          step: 'premise',
          provider: 'gemini',
          model: 'x',
          cost_usd: cost,
          cached: false,
        });
      seeded.set(title, { id, cost: costs.reduce((a, b) => a + b, 0) });
    }
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('searches titles by any part, in any case, with LIKE wildcards taken literally, and counts the matches', async () => {
    const molasses = await alice.api('GET', '/api/jobs?q=MOLASSES');
    expect(molasses.status).toBe(200);
    expect(titles(molasses).sort()).toEqual(['The Great Molasses Flood', 'molasses in January']);
    expect(molasses.json.total).toBe(2);
    expect(titles(await alice.api('GET', `/api/jobs?q=${encodeURIComponent('%')}`))).toEqual(['100% pure']);
    expect(titles(await alice.api('GET', '/api/jobs?q=_'))).toEqual(['snake_case title']);
    expect(titles(await alice.api('GET', '/api/jobs?q=%20flood%20'))).toEqual(['The Great Molasses Flood']);
    // With the other filters, and only the owner's jobs.
    expect(titles(await alice.api('GET', '/api/jobs?q=molasses&status=failed'))).toEqual([
      'molasses in January',
    ]);
    expect((await bob.api('GET', '/api/jobs?q=molasses')).json).toMatchObject({ items: [], total: 0 });
    expect((await alice.api('GET', `/api/jobs?q=${'x'.repeat(501)}`)).status).toBe(400);
  });

  it('serves the search from a trigram index on the title', async () => {
    const indexes = await h.stack.db('pg_indexes').where({ tablename: 'jobs' }).pluck('indexdef');
    expect(indexes.find((d: string) => d.includes('gin_trgm_ops'))).toMatch(
      /USING gin \(title gin_trgm_ops\)/,
    );
  });

  it('sorts newest or oldest first, by title, or costliest first, and refuses an unknown order', async () => {
    const newest = [
      'Zebra crossing',
      'snake_case title',
      '100% pure',
      'molasses in January',
      'The Great Molasses Flood',
    ];
    expect(titles(await alice.api('GET', '/api/jobs'))).toEqual(newest);
    expect(titles(await alice.api('GET', '/api/jobs?sort=newest'))).toEqual(newest);
    expect(titles(await alice.api('GET', '/api/jobs?sort=oldest'))).toEqual([...newest].reverse());
    expect(titles(await alice.api('GET', '/api/jobs?sort=title'))).toEqual([
      '100% pure',
      'molasses in January',
      'snake_case title',
      'The Great Molasses Flood',
      'Zebra crossing',
    ]);
    expect(titles(await alice.api('GET', '/api/jobs?sort=cost'))).toEqual([
      'molasses in January',
      'Zebra crossing',
      'The Great Molasses Flood',
      'snake_case title',
      '100% pure',
    ]);
    // Paging follows the order.
    expect(titles(await alice.api('GET', '/api/jobs?sort=cost&limit=2&offset=1'))).toEqual([
      'Zebra crossing',
      'The Great Molasses Flood',
    ]);
    expect((await alice.api('GET', '/api/jobs?sort=priciest')).status).toBe(400);
  });

  it("gives each job its cost from the usage ledger, a finished job's total equal to its usage", async () => {
    const items = (await alice.api('GET', '/api/jobs')).json.items as Array<{
      title: string;
      cost_usd: number;
    }>;
    for (const item of items) expect(item.cost_usd).toBeCloseTo(seeded.get(item.title)?.cost ?? -1, 9);

    // A real job on the fake providers: what the list says it cost is what its usage says.
    const started = await alice.api('POST', '/api/jobs', {
      agent_id: agentId,
      title: 'A real one',
      languages: ['pt-BR'],
    });
    expect(started.status).toBe(201);
    let job = started.json;
    for (let i = 0; i < 1200 && !['completed', 'failed'].includes(job.status); i++) {
      await new Promise((r) => setTimeout(r, 250));
      job = (await alice.api('GET', `/api/jobs/${job.id}`)).json;
    }
    expect(job.status).toBe('completed');
    const usage = (await alice.api('GET', `/api/jobs/${job.id}/usage`)).json.totals;
    expect(usage.costUsd).toBeGreaterThan(0);
    const listed = (await alice.api('GET', '/api/jobs?q=a%20real')).json.items;
    expect(listed).toHaveLength(1);
    expect(listed[0].cost_usd).toBeCloseTo(usage.costUsd, 9);
  });

  it('documents q, sort and cost_usd in the OpenAPI document', async () => {
    const doc = (await alice.api('GET', '/openapi.json')).json;
    const list = doc.paths['/api/jobs'].get;
    const params = Object.fromEntries(
      list.parameters.map((p: { name: string; schema: unknown }) => [p.name, p.schema]),
    );
    expect(params.q).toMatchObject({ type: 'string', maxLength: 500 });
    expect(params.sort).toMatchObject({ enum: ['newest', 'oldest', 'title', 'cost'], default: 'newest' });
    expect(list.summary).toContain('cost_usd');
  });
});
