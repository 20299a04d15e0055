import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemathesisBinary } from '../scripts/toolchain.mjs';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { type ApiHarness, signUp, startApi } from './support/api.ts';
import { repoRoot, tempDir } from './support/env.ts';

/** The whole fuzz run's time budget, in seconds: well under three minutes on two cores. */
const MAX_TIME = 75;

/** Runs a command without blocking this process (the API under test answers from it). */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' } });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** TOML fixing an operation's ("GET /api/jobs/{id}") path parameters, as Schemathesis reads it. */
const fixedIds = (operation: string, values: Record<string, string>) =>
  `[[operations]]
include-name = ${JSON.stringify([operation])}
parameters = { ${Object.entries(values)
    .map(([name, value]) => `"path.${name}" = ${JSON.stringify(value)}`)
    .join(', ')} }
`;

describe('the API fuzzed from its own OpenAPI document (Schemathesis)', () => {
  let h: ApiHarness;
  let fake: FakeProviders;
  let token: string;
  let user: Awaited<ReturnType<typeof signUp>>;
  const ids: Record<'agent' | 'job' | 'credential' | 'artifact', string> = {
    agent: '',
    job: '',
    credential: '',
    artifact: '',
  };
  /** What the DELETE routes get to delete: never the data the other routes read. */
  const doomed: Record<string, string> = {};

  beforeAll(async () => {
    const agentFixture = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/agent.json'), 'utf8'));
    fake = await startFakeProviders();
    h = await startApi({ ...fake.env });
    // A user with data: keys, an agent on the (fake) cloud providers, a finished job with its files.
    user = await signUp(h.url, `fuzz-${Date.now()}@example.com`);
    // A working key for each provider, older than any the fuzzer adds (the oldest is used first).
    await user.api('POST', '/api/credentials', { provider: 'gemini', key: 'valid-fuzz-gemini-key' });
    await user.api('POST', '/api/credentials', { provider: 'openai', key: 'valid-fuzz-openai-key' });
    ids.credential = (
      await user.api('POST', '/api/credentials', { provider: 'google-tts', key: 'valid-fuzz-tts-key' })
    ).json.id;
    const agentBody = {
      ...agentFixture,
      llm_provider: 'gemini',
      tts_provider: 'google',
      default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C' },
    };
    const agent = await user.api('POST', '/api/agents', agentBody);
    expect(agent.status).toBe(201);
    ids.agent = agent.json.id;
    const job = await user.api('POST', '/api/jobs', {
      agent_id: ids.agent,
      title: 'O farol da ilha',
      languages: ['pt-BR'],
    });
    expect(job.status).toBe(201);
    ids.job = job.json.id;
    for (let i = 0; i < 600; i++) {
      const status = (await user.api('GET', `/api/jobs/${ids.job}`)).json.status;
      if (status !== 'queued' && status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    ids.artifact = (await user.api('GET', `/api/jobs/${ids.job}/artifacts`)).json.items[0].id;
    // A personal token: it outlives the run, unlike a 15-minute access token.
    token = (await user.api('POST', '/api/tokens', { name: 'fuzz' })).json.token;
    // The fuzzer deletes what it finds in answers: each DELETE route gets one thing of its own instead
    // (the second job still running when deleted), newer than the keys the other routes use.
    const id = async (path: string, body: unknown) => (await user.api('POST', path, body)).json.id as string;
    doomed['DELETE /api/agents/{id}'] = await id('/api/agents', { ...agentBody, name: 'Doomed' });
    doomed['DELETE /api/jobs/{id}'] = await id('/api/jobs', { agent_id: ids.agent, title: 'Doomed' });
    doomed['DELETE /api/credentials/{id}'] = await id('/api/credentials', {
      provider: 'openai',
      key: 'valid-doomed-openai',
    });
    doomed['DELETE /me/apikeys/{id}'] = await id('/me/apikeys', { key: 'valid-doomed-gemini' });
    doomed['DELETE /me/ttskeys/{id}'] = await id('/me/ttskeys', { key: 'valid-doomed-tts' });
    doomed['DELETE /api/tokens/{id}'] = await id('/api/tokens', { name: 'doomed' });
    doomed['DELETE /me/agents/{id}'] = await id('/api/agents', { ...agentBody, name: 'Doomed too' });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('answers every documented route without a 5xx and as documented', async () => {
    const binary = schemathesisBinary();
    expect(binary, 'Schemathesis is missing: run `node scripts/prepare.mjs --test`').toBeTruthy();
    const dir = tempDir('fuzz');
    // The real ids for the routes that read or change one thing, so they reach it rather than a 404.
    const fixed: Record<string, Record<string, string>> = {};
    const use = (values: Record<string, string>, operations: string[]) => {
      for (const op of operations) fixed[op] = values;
    };
    use({ id: ids.agent }, [
      'GET /api/agents/{id}',
      'PUT /api/agents/{id}',
      'GET /api/agents/{id}/export',
      'POST /api/agents/{id}/duplicate',
    ]);
    use({ id: ids.job }, [
      'GET /api/jobs/{id}',
      'GET /api/jobs/{id}/usage',
      'GET /api/jobs/{id}/events',
      'GET /api/jobs/{id}/artifacts',
      'GET /api/jobs/{id}/bundle.zip',
      'POST /api/jobs/{id}/retry',
      'POST /api/jobs/{id}/cancel',
      'PUT /api/jobs/{id}/variations/{variation}/languages/{language}/blocks/{block}',
    ]);
    use({ job_id: ids.job }, ['GET /status/{job_id}', 'GET /jobs/{job_id}/variacoes']);
    use({ id: ids.credential }, ['POST /api/credentials/{id}/test']);
    use({ id: ids.artifact }, ['GET /api/artifacts/{id}']);
    // The fuzzer deletes ids it read in answers: each DELETE route gets its own thing, or an id of nothing.
    const document = (await (await fetch(`${h.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
    );
    for (const op of operations.filter((o) => o.startsWith('DELETE ') && o.includes('{')))
      fixed[op] = Object.fromEntries(
        [...op.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, doomed[op] ?? randomUUID()]),
      );
    fs.writeFileSync(
      path.join(dir, 'schemathesis.toml'),
      Object.entries(fixed)
        .filter(([op]) => operations.includes(op))
        .map(([op, values]) => fixedIds(op, values))
        .join('\n'),
    );
    const { code, output } = await run(
      binary as string,
      [
        'run',
        `${h.url}/openapi.json`,
        '--header',
        `Authorization: Bearer ${token}`,
        '--checks',
        'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
        '--phases',
        'examples,coverage,fuzzing',
        '--max-examples',
        '15',
        '--max-time',
        String(MAX_TIME),
        '--workers',
        '2',
        '--seed',
        '16',
        '--request-timeout',
        '20',
        '--no-color',
      ],
      dir,
      (MAX_TIME + 60) * 1000,
    );
    fs.writeFileSync(path.join(dir, 'output.txt'), output);
    expect(code, output.slice(-20_000)).toBe(0);
    // Every documented route was exercised, and the DELETE routes reached what they delete.
    const [, selected, total] = /Selected: (\d+)\/(\d+)/.exec(output) ?? [];
    expect(Number(selected)).toBeGreaterThan(40);
    expect(selected).toBe(total);
    expect(/Tested: (\d+)/.exec(output)?.[1]).toBe(total);
    const gone = await user.api('GET', `/api/agents/${doomed['DELETE /api/agents/{id}']}`);
    expect(gone.status).toBe(404);
    expect((await user.api('GET', `/api/jobs/${doomed['DELETE /api/jobs/{id}']}`)).status).toBe(404);
  });
});
