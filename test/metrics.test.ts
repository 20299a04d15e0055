import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { freePort, type StackInfo } from '@bolt/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { signUp } from './support/api.ts';
import { type BoltProcess, bolt, boltEnv } from './support/bolt.ts';
import { cloudFixtureAgent, repoRoot } from './support/env.ts';
import { declaredNames, parseMetrics, promqlNames, total } from './support/prometheus.ts';

const GEMINI_KEY = `valid-gemini-${randomBytes(6).toString('hex')}`;
const TTS_KEY = `valid-tts-${randomBytes(6).toString('hex')}`;

/** A small agent on the cloud providers (the fake ones): one language, two short blocks. */
const agentBody = () => cloudFixtureAgent('Metrics');

/** An OTLP/HTTP endpoint that accepts every export (and counts the trace exports): tracing is on. */
async function otlpSink(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume().on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('metrics and logs of an API process and a worker process', () => {
  let fakes: FakeProviders;
  let otlp: Awaited<ReturnType<typeof otlpSink>>;
  let api: BoltProcess;
  let worker: BoltProcess;
  let apiUrl: string;
  let workerMetricsUrl: string;
  let user: Awaited<ReturnType<typeof signUp>>;
  let agentId: string;

  const scrape = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  /** Starts a job through the API in the given W3C trace, and waits for it to end. */
  async function runJob(traceparent: string) {
    const started = await user.api(
      'POST',
      '/api/jobs',
      { agent_id: agentId, title: 'O farol de Alexandria', languages: ['pt-BR'] },
      { traceparent },
    );
    expect(started.status, started.text).toBe(201);
    const id = started.json.id as string;
    for (let i = 0; i < 2400; i++) {
      const job = (await user.api('GET', `/api/jobs/${id}`)).json;
      if (['completed', 'failed', 'cancelled'].includes(job.status)) {
        expect(job.status, job.error).toBe('completed');
        return job;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`job ${id} did not end`);
  }

  beforeAll(async () => {
    fakes = await startFakeProviders();
    otlp = await otlpSink();
    const env: NodeJS.ProcessEnv = {
      ...(await boltEnv()),
      ...fakes.env,
      GEMINI_API_KEY: GEMINI_KEY,
      GOOGLE_TTS_API_KEY: TTS_KEY,
      BOLT_RATE_LIMITS: 'gemini=6000,google-tts=6000,openai=6000',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    };
    api = bolt(['start', '--api-only'], env);
    await api.waitFor(/Bolt is running\./);
    apiUrl = `http://127.0.0.1:${env.PORT}`;
    const stack = JSON.parse(
      fs.readFileSync(path.join(env.BOLT_DATA_DIR as string, 'stack.json'), 'utf8'),
    ) as StackInfo;
    const metricsPort = await freePort();
    worker = bolt(['worker'], {
      ...env,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      DATABASE_URL: stack.databaseUrl,
      BOLT_METRICS_PORT: String(metricsPort),
    });
    await worker.waitFor(/Worker polling task queue/);
    workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    user = await signUp(apiUrl, `metrics-${Date.now()}@example.com`);
    const agent = await user.api('POST', '/api/agents', agentBody());
    expect(agent.status, agent.text).toBe(201);
    agentId = agent.json.id;
  });

  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    api?.child.kill('SIGTERM');
    await api?.exited;
    await otlp?.close();
    await fakes?.close();
  });

  it('counts a job, its paid calls, cache hits on a re-run and the SDK runtime, with exact numbers', async () => {
    const traceId = randomBytes(16).toString('hex');
    const first = await runJob(`00-${traceId}-${randomBytes(8).toString('hex')}-01`);
    expect(first.usage.paidCalls).toBeGreaterThan(0);
    expect(first.usage.cachedCalls).toBe(0);

    // Refused by the auth middleware, still counted under the route it asked for.
    expect((await fetch(`${apiUrl}/api/jobs/${first.id}`)).status).toBe(401);
    const apiText = await scrape(`${apiUrl}/metrics`);
    const apiSamples = parseMetrics(apiText);
    expect(total(apiSamples, 'bolt_jobs_started_total')).toBe(1);
    const posts = { method: 'POST', route: '/api/jobs', status: '201' };
    expect(total(apiSamples, 'bolt_http_request_duration_seconds_count', posts)).toBe(1);
    // The polls are counted under their route pattern: no series carries a job id.
    expect(
      total(apiSamples, 'bolt_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/jobs/:id',
      }),
    ).toBeGreaterThan(0);
    expect(
      total(apiSamples, 'bolt_http_request_duration_seconds_count', {
        route: '/api/jobs/:id',
        status: '401',
      }),
    ).toBe(1);
    expect(apiText).not.toContain(first.id);
    // No worker in the API process: neither the worker's counts nor the SDK runtime's.
    expect(total(apiSamples, 'bolt_provider_calls_total')).toBe(0);
    expect(apiText).not.toMatch(/^temporal_/m);

    const workerText = await scrape(workerMetricsUrl);
    const w = parseMetrics(workerText);
    expect(total(w, 'bolt_jobs_finished_total', { status: 'completed' })).toBe(1);
    expect(total(w, 'bolt_jobs_finished_total')).toBe(1);
    // Every paid call in the usage ledger is one request that answered (ok, or cut off and continued).
    const answered = (s: typeof w) =>
      total(s, 'bolt_provider_calls_total', { outcome: 'ok' }) +
      total(s, 'bolt_provider_calls_total', { outcome: 'truncated' });
    expect(answered(w)).toBe(first.usage.paidCalls);
    expect(total(w, 'bolt_provider_calls_total')).toBe(first.usage.paidCalls);
    expect(total(w, 'bolt_cache_hits_total')).toBe(0);
    expect(total(w, 'bolt_provider_cost_usd_total')).toBeCloseTo(first.usage.costUsd, 9);
    expect(
      total(w, 'bolt_step_duration_seconds_count', { kind: 'generatePremise', provider: 'gemini' }),
    ).toBe(1);
    expect(total(w, 'bolt_step_duration_seconds_count', { kind: 'markJobRunning', provider: 'none' })).toBe(
      1,
    );
    expect(total(w, 'bolt_step_retries_total')).toBe(0);
    // The Temporal SDK's runtime metrics, from the same scrape.
    expect(total(w, 'temporal_workflow_completed', { workflow_type: 'jobWorkflow' })).toBe(1);
    expect(total(w, 'temporal_activity_execution_latency_count', { activity_type: 'generatePremise' })).toBe(
      1,
    );

    // The same job again: every paid call is answered from the cache, nothing is paid twice.
    const second = await runJob(`00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`);
    expect(second.usage.paidCalls).toBe(0);
    expect(second.usage.cachedCalls).toBe(first.usage.paidCalls);
    const again = parseMetrics(await scrape(workerMetricsUrl));
    expect(total(again, 'bolt_jobs_finished_total', { status: 'completed' })).toBe(2);
    expect(total(again, 'bolt_cache_hits_total')).toBe(second.usage.cachedCalls);
    expect(total(again, 'bolt_provider_calls_total')).toBe(first.usage.paidCalls);
    expect(total(parseMetrics(await scrape(`${apiUrl}/metrics`)), 'bolt_jobs_started_total')).toBe(2);

    // Each paid call's log line names its job, its workflow and the trace the request started.
    const completed = worker
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((e) => e.event === 'call.completed');
    // (Model and speech calls log it; the transcriptions of the quality check do not.)
    expect(completed.length).toBeGreaterThan(0);
    expect(completed.length).toBeLessThanOrEqual(first.usage.paidCalls);
    for (const line of completed) {
      expect(line).toMatchObject({ jobId: first.id, traceId });
      expect(line.workflowId).toMatch(new RegExp(`^${first.id}`));
    }
    // Neither process writes a key to its logs.
    expect(worker.output() + api.output()).not.toContain(GEMINI_KEY);
    expect(worker.output() + api.output()).not.toContain(TTS_KEY);
  });

  it('sends the traces to the OTLP endpoint', async () => {
    // Spans leave in batches (every 5 seconds by default).
    for (let i = 0; i < 120 && otlp.requests() === 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(otlp.requests()).toBeGreaterThan(0);
  });

  it('exports every metric the Grafana dashboard reads', async () => {
    const names = new Set([
      ...declaredNames(await scrape(`${apiUrl}/metrics`)),
      ...declaredNames(await scrape(workerMetricsUrl)),
    ]);
    const dashboard = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'ops/grafana/bolt-dashboard.json'), 'utf8'),
    );
    const used = new Set<string>(
      dashboard.panels.flatMap((p: { targets?: Array<{ expr: string }> }) =>
        (p.targets ?? []).flatMap((t) => promqlNames(t.expr)),
      ),
    );
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
  });
});
