import { freePort, startEmbeddedPostgres } from '@bolt/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, signUp, startApi } from './support/api.ts';
import { tempDir } from './support/env.ts';

// The API on its own PostgreSQL, which the test stops and starts again under it.
describe('a database outage', () => {
  const dir = tempDir('outage-pg');
  let port: number;
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  let h: ApiHarness;

  beforeAll(async () => {
    port = await freePort();
    pg = await startEmbeddedPostgres(dir, () => {}, port);
    h = await startApi({ DATABASE_URL: pg.url });
  });
  afterAll(async () => {
    await h?.close();
    await pg?.stop();
  });

  it('answers 503 while PostgreSQL is down and recovers without a restart', async () => {
    const user = await signUp(h.url, `outage-${Date.now()}@example.com`);
    expect((await user.api('GET', '/api/agents')).status).toBe(200);

    await pg.stop();
    const during = await user.api('GET', '/api/agents');
    expect(during).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    const ready = await user.api('GET', '/readyz');
    expect(ready).toMatchObject({
      status: 503,
      json: { error: { details: { database: 'unreachable', temporal: 'ok' } } },
    });
    expect((await user.api('GET', '/healthz')).status).toBe(200);

    pg = await startEmbeddedPostgres(dir, () => {}, port);
    let after = await user.api('GET', '/api/agents');
    for (let i = 0; i < 20 && after.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await user.api('GET', '/api/agents');
    }
    expect(after.status).toBe(200);
    expect((await user.api('GET', '/readyz')).status).toBe(200);
  });
});
