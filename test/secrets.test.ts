import fs from 'node:fs';
import path from 'node:path';
import type { StackInfo } from '@bolt/cli';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { client } from './support/api.ts';
import { type BoltProcess, bolt, boltEnv } from './support/bolt.ts';
import { repoRoot } from './support/env.ts';

// A whole run through the API on `bolt start`, then every place a secret could leak is searched.
describe('secrets stay secret', () => {
  let server: BoltProcess | undefined;
  afterAll(() => server?.child.kill('SIGKILL'));

  it('never shows passwords, tokens or provider keys in logs, responses or workflow histories', async () => {
    const env = await boltEnv();
    server = bolt(['start'], env);
    await server.waitFor(/Bolt is running\./);
    const stack = JSON.parse(
      fs.readFileSync(path.join(env.BOLT_DATA_DIR as string, 'stack.json'), 'utf8'),
    ) as StackInfo;
    const base = stack.apiUrl as string;

    const password = 'pw-Zq8-unguessable-passphrase';
    const providerKey = 'AIzaSy-provider-key-Xk29Lw0-secret';
    const responses: string[] = [];
    const call = async (api: ReturnType<typeof client>, ...args: Parameters<ReturnType<typeof client>>) => {
      const res = await api(...args);
      responses.push(JSON.stringify([...res.headers]), res.text);
      return res;
    };
    const anon = client(base);
    await call(anon, 'POST', '/api/auth/register', { email: 'eve@example.com', password });
    await call(anon, 'POST', '/api/auth/login', { email: 'eve@example.com', password: 'a wrong password' });
    // The two answers that hand tokens out are kept apart: tokens may appear there and nowhere else.
    const login = await anon('POST', '/api/auth/login', { email: 'eve@example.com', password });
    const { access_token, refresh_token } = login.json;
    const api = client(base, access_token);
    const created = await api('POST', '/api/tokens', { name: 'ci' });
    const pat = created.json.token as string;
    const handedOut = [login.text, created.text].join('\n');
    await call(api, 'POST', '/api/credentials', { provider: 'gemini', key: providerKey });
    await call(api, 'POST', '/me/ttskeys', { key: providerKey });
    const agent = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/agent.json'), 'utf8'));
    const agentId = (await call(api, 'POST', '/api/agents', agent)).json.id;
    const job = (
      await call(api, 'POST', '/api/jobs', { agent_id: agentId, title: 'Segredos', languages: ['pt-BR'] })
    ).json;
    const events = await fetch(`${base}/api/jobs/${job.id}/events`, {
      headers: { authorization: `Bearer ${pat}` },
    });
    responses.push(await events.text());
    const finished = await call(api, 'GET', `/api/jobs/${job.id}`);
    expect(finished.json.status).toBe('completed');
    for (const path of [
      '/api/me',
      '/api/credentials',
      '/api/tokens',
      '/me/apikeys',
      '/me/ttskeys',
      `/status/${job.id}`,
    ]) {
      await call(api, 'GET', path);
    }

    const connection = await Connection.connect({ address: stack.temporalAddress });
    const history = historyToJSON(await new Client({ connection }).workflow.getHandle(job.id).fetchHistory());
    await connection.close();

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const logs = server.output();
    expect(logs).toContain('"level"'); // the logs were captured

    const pgPassword = fs.readFileSync(path.join(env.BOLT_DATA_DIR as string, 'pg-password'), 'utf8').trim();
    const secrets = { password, providerKey, pat, refresh_token, access_token, pgPassword };
    const places = { logs, responses: responses.join('\n'), history };
    for (const [where, text] of Object.entries(places)) {
      for (const [name, secret] of Object.entries(secrets))
        expect(text.includes(secret), `${name} in ${where}`).toBe(false);
    }
    for (const secret of [password, providerKey, pgPassword]) expect(handedOut.includes(secret)).toBe(false);
    expect(handedOut).toContain(pat);
  });
});
