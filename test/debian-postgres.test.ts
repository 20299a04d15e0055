import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, signUp, startApi } from './support/api.ts';
import { startDebianPostgres } from './support/debian-postgres.ts';
import { repoRoot } from './support/env.ts';

// The same migrations and API on Debian's PostgreSQL server, as a deployment with DATABASE_URL would run.
describe("on Debian's PostgreSQL through DATABASE_URL", () => {
  let pg: Awaited<ReturnType<typeof startDebianPostgres>>;
  let h: ApiHarness;

  beforeAll(async () => {
    pg = await startDebianPostgres();
    h = await startApi({ DATABASE_URL: pg.url });
  });
  afterAll(async () => {
    await h?.close();
    pg?.stop();
  });

  it('migrates, and runs accounts, agents and a job to completion', async () => {
    const migrations = await h.stack.db('knex_migrations').orderBy('id').pluck('name');
    expect(migrations[0]).toBe('001_initial');
    const user = await signUp(h.url, 'deb@example.com');
    const agent = JSON.parse(fs.readFileSync(`${repoRoot}/test/fixtures/agent.json`, 'utf8'));
    const agentId = (await user.api('POST', '/api/agents', agent)).json.id;
    const job = (
      await user.api('POST', '/api/jobs', { agent_id: agentId, title: 'O cais', languages: ['pt-BR'] })
    ).json;
    let state = job;
    for (let i = 0; i < 1200 && !['completed', 'failed'].includes(state.status); i++) {
      await new Promise((r) => setTimeout(r, 250));
      state = (await user.api('GET', `/api/jobs/${job.id}`)).json;
    }
    expect(state.status).toBe('completed');
    const artifacts = (await user.api('GET', `/api/jobs/${job.id}/artifacts`)).json.items;
    expect(artifacts.map((a: { kind: string }) => a.kind).sort()).toEqual([
      'audio',
      'chapters',
      'premise',
      'quality',
      'script',
      'subtitles',
      'subtitles',
    ]);
  });
});
