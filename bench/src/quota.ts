// Bolt under provider quotas, through the HTTP API as users run it, with the fakes enforcing R requests
// a minute per key and per API (as Google does) and Bolt's own limit set to the same R. Ratios measured
// in this same run:
//   fairness: a single job of user B, alone, then while user A's 20-job batch (POST /api/jobs/batch)
//     saturates the same server-wide keys: its time during the batch ÷ its time alone;
//   quota utilisation: user C's 20-job batch on K keys of C's own per API, for 3 minutes (the rest is
//     then cancelled): paid requests answered per minute ÷ K·R for Gemini (the batch's text alone needs
//     more than 3 minutes of its quota, so it is saturated throughout), and the share of requests the
//     fakes refused with a 429.
// Results go to bench/results/quota.json.
import type { AddressInfo } from 'node:net';
import { createApp } from '@bolt/api';
import type { Stack } from '@bolt/cli';
import {
  agent,
  busyShare,
  languages,
  machine,
  machineCpu,
  openBench,
  printTable,
  round,
  sleep,
  V,
  writeResult,
} from './support.ts';

/** Requests per minute per key, enforced by the fakes and by Bolt. */
const R = 120;
/** Keys per API of the user whose batch measures utilisation. */
const K = 2;
const BATCH = 20;
const UTILISATION_MS = 3 * 60_000;
/** How long user A's batch runs before user B's job starts, so that the quota is saturated. */
const SATURATE_MS = 20_000;
/** The longest B's job may take during the batch before the bench gives up on it. */
const FAIRNESS_TIMEOUT_MS = 12 * 60_000;

const bench = await openBench(
  { latencyMs: 200, msPerChar: 0.1, quota: { requestsPerMinute: R } },
  { BOLT_RATE_LIMITS: `gemini=${R},google-tts=${R},openai=${R}` },
);
const { stack, fakes } = bench;
const server = createApp({
  ...stack,
  loginLimits: { perIp: 1000, perAccount: 100, windowSeconds: 900 },
}).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** The fields of the API's answers this bench reads. */
interface Answer {
  id: string;
  status: string;
  access_token: string;
  items: Array<{ id: string }>;
}
type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: Answer }>;

function client(token?: string): Api {
  return async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return { status: res.status, json };
  };
}

const PASSWORD = 'correct horse battery staple';
/** Signs a user up, with the bench agent; a fresh login per phase (access tokens last 15 minutes). */
async function user(email: string) {
  await client()('POST', '/api/auth/register', { email, password: PASSWORD });
  const login = async () =>
    client((await client()('POST', '/api/auth/login', { email, password: PASSWORD })).json.access_token);
  const { json } = await (await login())('POST', '/api/agents', { ...agent, name: `Bench ${email}` });
  return { login, agentId: json.id };
}

const jobBody = (agentId: string) => ({ agent_id: agentId, languages, variations: V });
const titles = (label: string) => Array.from({ length: BATCH }, (_, i) => `${label} ${i + 1}`);

/** Waits for a job's workflow to close, at most `ms`; whether it did. */
async function closed(stack: Stack, jobId: string, ms: number): Promise<boolean> {
  const result = stack.client.workflow
    .getHandle(jobId)
    .result()
    .then(
      () => true,
      () => true,
    );
  return Promise.race([result, sleep(ms).then(() => false)]);
}

/** Cancels a batch's jobs that are still running and waits (at most 3 minutes) for them to stop. */
async function cancelAll(api: Api, ids: string[]) {
  for (const id of ids) await api('POST', `/api/jobs/${id}/cancel`).catch(() => undefined);
  const deadline = Date.now() + 3 * 60_000;
  for (const id of ids) await closed(stack, id, Math.max(0, deadline - Date.now()));
}

async function timedJob(api: Api, agentId: string, title: string, timeoutMs: number) {
  const t0 = performance.now();
  const { json } = await api('POST', '/api/jobs', { ...jobBody(agentId), title });
  const done = await closed(stack, json.id, timeoutMs);
  const { json: view } = await api('GET', `/api/jobs/${json.id}`);
  return { ms: Math.round(performance.now() - t0), done, status: view.status };
}

/** User B's job alone, then during user A's batch, all on the server-wide keys. */
async function fairness() {
  const a = await user('a@bench.local');
  const b = await user('b@bench.local');
  const alone = await timedJob(await b.login(), b.agentId, 'Sozinho', FAIRNESS_TIMEOUT_MS);
  // The server key's minute window empties before the batch starts.
  await sleep(60_000);
  const apiA = await a.login();
  const { json } = await apiA('POST', '/api/jobs/batch', { ...jobBody(a.agentId), titles: titles('Lote A') });
  const batchIds = json.items.map((j) => j.id);
  await sleep(SATURATE_MS);
  const from = Date.now();
  const during = await timedJob(await b.login(), b.agentId, 'Durante o lote', FAIRNESS_TIMEOUT_MS);
  const to = Date.now();
  await cancelAll(apiA, batchIds);
  // The batch saturated the server's Gemini key while B's job ran: its requests a minute ÷ R.
  const served = await fakes.stats(from, to);
  return {
    serverKeySaturation: round((served.byApi.gemini?.completed ?? 0) / ((to - from) / 60_000) / R),
    refusedByQuota: served.refusedByQuota,
    aloneMs: alone.ms,
    duringBatchMs: during.ms,
    finishedDuringBatch: during.done,
    status: { alone: alone.status, duringBatch: during.status },
    /** A lower bound when B's job did not finish in time. */
    ratio: round(during.ms / alone.ms),
  };
}

/** User C's batch on C's own K keys per API, for 3 minutes. */
async function utilisation() {
  const c = await user('c@bench.local');
  const api = await c.login();
  for (const provider of ['gemini', 'google-tts'])
    for (let k = 1; k <= K; k++)
      await api('POST', '/api/credentials', {
        provider,
        label: `key ${k}`,
        key: `valid-bench-c-${provider}-${k}`,
      });
  const machine0 = machineCpu();
  const from = Date.now();
  const { json } = await api('POST', '/api/jobs/batch', { ...jobBody(c.agentId), titles: titles('Lote C') });
  await sleep(UTILISATION_MS - (Date.now() - from));
  const to = Date.now();
  const cpuBusy = busyShare(machine0, machineCpu());
  await cancelAll(
    await c.login(),
    json.items.map((j) => j.id),
  );
  const stats = await fakes.stats(from, to);
  const minutes = (to - from) / 60_000;
  const perMinute = (api: string) => (stats.byApi[api]?.completed ?? 0) / minutes;
  return {
    keysPerApi: K,
    requestsPerMinutePerKey: R,
    minutes: round(minutes),
    completedPerMinute: { gemini: round(perMinute('gemini')), googleTts: round(perMinute('google-tts')) },
    geminiUtilisation: round(perMinute('gemini') / (K * R)),
    googleTtsUtilisation: round(perMinute('google-tts') / (K * R)),
    paidRequests: stats.arrived,
    refusedByQuota: stats.refusedByQuota,
    share429: round(stats.refusedByQuota / Math.max(1, stats.arrived)),
    cpuBusy,
  };
}

try {
  const fair = await fairness();
  const used = await utilisation();
  const result = { machine: machine(), fairness: fair, utilisation: used };
  writeResult('quota', result);
  console.log(JSON.stringify(result, null, 2));
  printTable(`Quotas (R = ${R} requests a minute per key)`, [
    ['quota utilisation (Gemini, K·R)', used.geminiUtilisation, '≥ 0.90'],
    ['share of 429s among paid calls', used.share429, '≤ 0.01'],
    ['single job during a batch ÷ alone', fair.ratio, '≤ 1.5'],
  ]);
} finally {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await bench.stop();
}
