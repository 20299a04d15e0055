// What the benchmarks share: the 3 variations × 3 languages agent, a stack of real servers with the fake
// providers in a process of their own, `bolt worker` processes, the sequential baseline, CPU time per
// process from /proc (Linux), and the job's critical path in provider time.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities, type JobActivities } from '@bolt/activities';
import { activityDeps, freePort, openStack, type Stack } from '@bolt/cli';
import { type Agent, jobAgentSchema, loadConfig, planBlocks, storageKeys, workflowIds } from '@bolt/core';
import { insertJob } from '@bolt/data';
import { startJob } from '@bolt/jobs';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { countWords, tokensFor } from '../../test/fakes/content.ts';
import type { FakeProvidersOptions, LatencyProfile, Quota } from '../../test/fakes/providers.ts';
import type { FakeStats, FakesMessage } from './fakes-process.ts';

Runtime.install({ logger: new DefaultLogger('ERROR') });
export const root = path.resolve(import.meta.dirname, '../..');
export const round = (n: number) => Number(n.toFixed(3));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const V = 3;
export const languages = ['pt-BR', 'en-US', 'es-ES'];
export const agent: Agent = jobAgentSchema.parse({
  name: 'Bench',
  language: 'pt-BR',
  premise_prompt: 'Escreva a premissa da história em duas frases.',
  block_structure_prompt: '3 blocos de ~1500 palavras: gancho, conflito, desfecho',
  target_languages: languages.slice(1),
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C', 'es-ES': 'es-ES-Wavenet-B' },
  llm_provider: 'gemini',
  tts_provider: 'google',
});
export const blocks = planBlocks(agent.block_structure_prompt);

// ---------------------------------------------------------------------------------------------------
// The fake providers, in a child process.

export interface FakesProcess {
  pid: number;
  url: string;
  env: Record<string, string>;
  /** Paid requests that arrived between `from` and `to` (ms since the epoch), all by default. */
  stats(from?: number, to?: number): Promise<FakeStats>;
  setQuota(quota: Quota): Promise<void>;
  setLatencyProfile(profile: LatencyProfile | undefined): Promise<void>;
  setLatency(ms: number): Promise<void>;
  close(): Promise<void>;
}

type Request = FakesMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

export async function startFakes(options: FakeProvidersOptions): Promise<FakesProcess> {
  const child = fork(path.join(import.meta.dirname, 'fakes-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_FAKES: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; env: Record<string, string> }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fake providers did not start in 60 s')), 60_000);
    child.once('message', (m: { url: string; env: Record<string, string> }) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`the fake providers exited (${code})`)));
  });
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  child.on('message', (m: { id?: number; result?: unknown }) => {
    if (m.id !== undefined) pending.get(m.id)?.(m.result);
    if (m.id !== undefined) pending.delete(m.id);
  });
  const ask = <R>(message: Request) =>
    new Promise<R>((resolve) => {
      const id = next++;
      pending.set(id, resolve as (r: unknown) => void);
      child.send({ ...message, id });
    });
  return {
    pid: child.pid ?? 0,
    ...ready,
    stats: (from, to) => ask<FakeStats>({ kind: 'stats', from, to }),
    setQuota: (quota) => ask({ kind: 'quota', quota }),
    setLatencyProfile: (profile) => ask({ kind: 'profile', profile }),
    setLatency: (ms) => ask({ kind: 'latency', ms }),
    async close() {
      child.disconnect();
      await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The stack.

export interface Bench {
  fakes: FakesProcess;
  stack: Stack;
  /** The environment the stack's configuration came from, for `bolt worker` processes to share. */
  env: Record<string, string>;
  /** Worker processes started with `spawnWorker`, by pid. */
  workers: Map<number, ChildProcess>;
  /** Stops the workers, the stack and the fakes, and removes the data directory. */
  stop(): Promise<void>;
}

/**
 * Embedded Temporal and PostgreSQL in a fresh data directory, the fakes in their own process, and a
 * worker in this process unless `worker` is false. Server-wide keys are valid at the fakes.
 */
export async function openBench(
  fakeOptions: FakeProvidersOptions,
  env: Record<string, string> = {},
  { worker = true } = {},
): Promise<Bench> {
  const fakes = await startFakes(fakeOptions);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-bench-'));
  const benchEnv = {
    ...fakes.env,
    GEMINI_API_KEY: 'valid-bench-gemini',
    GOOGLE_TTS_API_KEY: 'valid-bench-tts',
    BOLT_RATE_LIMITS: 'gemini=60000,google-tts=60000,openai=60000',
    BOLT_DATA_DIR: dataDir,
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    BOLT_LOCAL_MAX_TOKENS: '4096',
    BOLT_LOG_LEVEL: 'warn',
    ...env,
  };
  const config = loadConfig({ ...process.env, ...benchEnv });
  const stack = await openStack(config, { worker, join: false }).catch(async (err) => {
    await fakes.close();
    throw err;
  });
  const workers = new Map<number, ChildProcess>();
  const bench: Bench = {
    fakes,
    stack,
    env: benchEnv,
    workers,
    async stop() {
      await Promise.all([...workers.keys()].map((pid) => stopWorker(bench, pid)));
      await stack.stop();
      await fakes.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return bench;
}

/**
 * A `bolt worker` process on the bench's Temporal server, database and data directory (so it shares
 * the files and the credentials key). Resolves with its pid once it polls.
 */
export async function spawnWorker(bench: Bench, env: Record<string, string> = {}): Promise<number> {
  const child = spawn(process.execPath, [path.join(root, 'cli/bin/bolt.mjs'), 'worker'], {
    cwd: root,
    env: {
      ...process.env,
      ...bench.env,
      TEMPORAL_ADDRESS: bench.stack.temporalAddress,
      DATABASE_URL: bench.stack.databaseUrl,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
  });
  const deadline = Date.now() + 120_000;
  while (!/Worker polling task queue/.test(output)) {
    if (child.exitCode !== null) throw new Error(`bolt worker exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bolt worker did not start in 120 s:\n${output}`);
    }
    await sleep(200);
  }
  const pid = child.pid ?? 0;
  bench.workers.set(pid, child);
  return pid;
}

/** Stops a worker started by `spawnWorker` (it drains its activities), killing it after 60 s. */
export async function stopWorker(bench: Bench, pid: number): Promise<void> {
  const child = bench.workers.get(pid);
  if (!child) return;
  bench.workers.delete(pid);
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(60_000).then(() => child.kill('SIGKILL'))]);
}

/** Starts a 3 × 3 job of the bench agent as the stack's local user. */
export const startBenchJob = (stack: Stack, title: string) =>
  startJob(stack, { ownerId: stack.ownerId, agent, title, languages, variations: V });

/** Runs a job to its end through Bolt; its wall time in ms. */
export async function runJob(stack: Stack, title: string): Promise<{ ms: number; jobId: string }> {
  const t0 = performance.now();
  const jobId = await startBenchJob(stack, title);
  await stack.client.workflow.getHandle(workflowIds.job(jobId)).result();
  return { ms: performance.now() - t0, jobId };
}

/** The original system's way: every call one after another, in one process. Its wall time in ms. */
export async function sequentialBaseline(
  stack: Stack,
  title: string,
): Promise<{ ms: number; jobId: string }> {
  const acts: JobActivities = createActivities(
    activityDeps(stack.config, stack.db, stack.storage, stack.log),
  );
  // An environment per call, as each activity has its own (one cancellation signal per call).
  const run = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...args: A) =>
    new MockActivityEnvironment().run(fn, ...args) as Promise<R>;
  const jobId = crypto.randomUUID();
  await insertJob(stack.db, {
    id: jobId,
    owner_id: stack.ownerId,
    agent_id: null,
    agent_snapshot: agent,
    title: title,
    variations: V,
    languages,
    workflow_id: jobId,
  });
  const t0 = performance.now();
  await run(acts.generatePremise, { jobId });
  for (const b of blocks) await run(acts.writeBlock, { jobId, block: b.index, plan: blocks });
  for (let variation = 1; variation <= V; variation++) {
    if (variation > 1)
      for (const b of blocks) await run(acts.writeVariationBlock, { jobId, variation, block: b.index });
    for (const language of languages) {
      const ref = { jobId, variation, language };
      if (language !== agent.language)
        for (const b of blocks) await run(acts.adaptBlock, { ...ref, block: b.index });
      const { chunks } = await run(acts.prepareNarration, ref);
      for (let chunk = 0; chunk < chunks; chunk++) await run(acts.synthesizeChunk, { ...ref, chunk });
      await run(acts.assembleNarration, ref);
    }
  }
  return { ms: performance.now() - t0, jobId };
}

// ---------------------------------------------------------------------------------------------------
// CPU time.

/** Busy and total CPU time of the whole machine so far, from /proc/stat (Linux), in clock ticks. */
export function machineCpu(): { busy: number; total: number } | undefined {
  if (!fs.existsSync('/proc/stat')) return undefined;
  const ticks =
    fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = ticks.reduce((n, t) => n + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** Share of all cores busy between two `machineCpu()` readings. */
export const busyShare = (a: ReturnType<typeof machineCpu>, b: ReturnType<typeof machineCpu>) =>
  a && b ? round((b.busy - a.busy) / (b.total - a.total)) : null;

const USER_HZ = 100; // clock ticks per second in /proc on Linux

function procTimes(pid: string) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  return { name, parent: f[1], own: (f[11] ?? 0) + (f[12] ?? 0), children: (f[13] ?? 0) + (f[14] ?? 0) };
}

/**
 * CPU seconds used so far by each part of the stack this process started, from /proc (Linux; empty
 * elsewhere): the Temporal server and PostgreSQL by process name (with the processes they ran and
 * waited for, such as PostgreSQL's connections), this process as `self`, each process named in `parts`
 * by pid, and `ffmpeg`: whatever those (and this one) ran and waited for. Only this process's
 * descendants count, so other programs on the machine are left out.
 */
export function stackCpu(parts: Record<string, number> = {}, self = 'self'): Record<string, number> {
  if (!fs.existsSync('/proc/self/stat')) return {};
  const procs = new Map<number, ReturnType<typeof procTimes>>();
  const children = new Map<number, number[]>();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const t = procTimes(pid);
      procs.set(Number(pid), t);
      children.set(t.parent ?? 0, [...(children.get(t.parent ?? 0) ?? []), Number(pid)]);
    } catch {} // it exited while being listed
  }
  const named = new Map(Object.entries(parts).map(([part, pid]) => [pid, part]));
  const cpu: Record<string, number> = { temporalServer: 0, [self]: 0, postgres: 0, ffmpeg: 0 };
  for (const part of named.values()) cpu[part] = 0;
  const add = (part: string, ticks: number) => {
    cpu[part] = (cpu[part] ?? 0) + ticks;
  };
  /** A process's own time goes to its part; what it waited for to its own part if a server's, else ffmpeg. */
  const walk = (pid: number, inherited: string) => {
    for (const child of children.get(pid) ?? []) {
      const t = procs.get(child);
      if (!t) continue;
      const server =
        t.name === 'temporal' ? 'temporalServer' : t.name === 'postgres' ? 'postgres' : undefined;
      const part = named.get(child) ?? server ?? inherited;
      add(part, t.own);
      add(server ?? 'ffmpeg', t.children);
      walk(child, server ?? 'ffmpeg');
    }
  };
  const mine = procs.get(process.pid);
  add(self, mine?.own ?? 0);
  add('ffmpeg', mine?.children ?? 0);
  walk(process.pid, 'ffmpeg');
  return Object.fromEntries(Object.entries(cpu).map(([part, ticks]) => [part, ticks / USER_HZ]));
}

/** CPU seconds per part between two `stackCpu()` readings. */
export const cpuSpent = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([part, s]) => [part, round(s - (before[part] ?? 0))]));

export const sum = (parts: Record<string, number>) => Object.values(parts).reduce((n, s) => n + s, 0);

// ---------------------------------------------------------------------------------------------------
// What a job ran.

/** Activity attempts and workflow tasks in a job's histories (its own and its narrations'). */
export async function historyCounts(stack: Stack, jobId: string) {
  const ids = [workflowIds.job(jobId)];
  for (let v = 1; v <= V; v++) for (const l of languages) ids.push(workflowIds.narration(jobId, v, l));
  let activities = 0;
  let workflowTasks = 0;
  for (const id of ids) {
    const history = await stack.client.workflow.getHandle(id).fetchHistory();
    for (const e of history.events ?? []) {
      if (e.activityTaskStartedEventAttributes)
        activities += e.activityTaskStartedEventAttributes.attempt ?? 1;
      if (e.workflowTaskCompletedEventAttributes) workflowTasks++;
    }
  }
  return { activities, workflowTasks };
}

/** When each activity of a job (its own workflow's and its narrations') was scheduled, started and closed. */
export async function activityTimeline(stack: Stack, jobId: string) {
  const ids = [workflowIds.job(jobId)];
  for (let v = 1; v <= V; v++) for (const l of languages) ids.push(workflowIds.narration(jobId, v, l));
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
    t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0;
  const activities: Array<{
    workflow: string;
    id: string;
    scheduled: number;
    started: number;
    closed: number;
  }> = [];
  for (const workflow of ids) {
    const history = await stack.client.workflow.getHandle(workflow).fetchHistory();
    const byEvent = new Map<string, (typeof activities)[number]>();
    for (const e of history.events ?? []) {
      const at = ms(e.eventTime);
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) {
        const a = { workflow, id: scheduled.activityId ?? '', scheduled: at, started: 0, closed: 0 };
        byEvent.set(String(e.eventId), a);
        activities.push(a);
      }
      const started = e.activityTaskStartedEventAttributes;
      const a = byEvent.get(String(started?.scheduledEventId));
      if (started && a) a.started = at;
      const closed =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      const c = byEvent.get(String(closed?.scheduledEventId));
      if (closed && c) c.closed = at;
    }
  }
  return activities;
}

interface LedgerCall {
  step: string;
  tokens_out: number;
  chars: number;
  audio_seconds: number;
}

/** A transcription: the ledger has its audio's length, not the length of the transcript. */
const isTranscription = (call: LedgerCall) =>
  call.audio_seconds > 0 && call.tokens_out === 0 && call.chars === 0;

/** Transcriptions the quality step makes at once (AUDIO_CHECKS_AT_ONCE in activities' job-activities.ts). */
const QUALITY_LANES = 4;

/** How long the profile makes a call of the usage ledger take: text by tokens out, speech by chars. */
function callMs(profile: LatencyProfile, call: LedgerCall): number {
  if (call.chars > 0 && call.tokens_out === 0)
    return profile.tts.fixedMs + call.chars * profile.tts.msPerChar;
  return profile.llm.firstTokenMs + (call.tokens_out / profile.llm.tokensPerSecond) * 1000;
}

/** The finish time of items run `lanes` at a time, each lane taking the next item when free. */
function laned(durations: number[], lanes: number): number {
  const ends = new Array<number>(Math.min(lanes, durations.length)).fill(0);
  for (const d of durations) {
    const i = ends.indexOf(Math.min(...ends));
    ends[i] = (ends[i] ?? 0) + d;
  }
  return Math.max(0, ...ends);
}

/** Steps of a critical path: what each took, in ms. */
type PathSteps = Array<[step: string, ms: number]>;
const pathMs = (steps: PathSteps) => steps.reduce((n, [, ms]) => n + ms, 0);
const slowest = (paths: PathSteps[]): PathSteps =>
  paths.reduce<PathSteps>((a, b) => (pathMs(b) > pathMs(a) ? b : a), []);

/**
 * The provider time of a job's paid calls (from its usage ledger) under a latency profile: in all, and
 * on its critical path, which follows the workflow: premise, master blocks one by one and their review,
 * then for the slowest variation its slowest block (they run in parallel) and review, and its slowest
 * narration: slowest adaptation block and review, speech `speechLanes` chunks at a time, quality checks
 * (which hear QUALITY_LANES chunks at a time). Calls within any other step count one after another.
 * `path` lists the steps on it with their times; `byStep` is every step's provider time.
 * The ledger does not count a transcript's tokens, so a transcription takes the time the fakes give the
 * transcript of its chunk (the chunk's text, from the narration plan).
 */
export async function providerTime(
  stack: Stack,
  jobId: string,
  profile: LatencyProfile,
  speechLanes: number,
) {
  const calls: LedgerCall[] = await stack
    .db('usage')
    .where({ job_id: jobId, cached: false })
    .select('step', 'tokens_out', 'chars', 'audio_seconds');
  const perStep = new Map<string, number[]>();
  for (const c of calls)
    if (!isTranscription(c)) perStep.set(c.step, [...(perStep.get(c.step) ?? []), callMs(profile, c)]);
  for (let v = 1; v <= V; v++)
    for (const language of languages) {
      const step = `v${v}.${language}.quality`;
      const heard = calls.filter((c) => c.step === step && isTranscription(c)).length;
      if (heard === 0) continue;
      const plan = JSON.parse(
        (await stack.storage.get(storageKeys.narrationPlan(jobId, v, language))).toString(),
      ) as { chunks: Array<{ text: string }> };
      const transcripts = plan.chunks
        .slice(0, heard)
        .map((c) =>
          callMs(profile, { step, tokens_out: tokensFor(countWords(c.text)), chars: 0, audio_seconds: 0 }),
        );
      perStep.set(step, [...(perStep.get(step) ?? []), ...transcripts]);
    }
  const steps = new Map(
    [...perStep].map(([id, ms]) => [
      id,
      id.endsWith('.quality') ? laned(ms, QUALITY_LANES) : ms.reduce((n, m) => n + m, 0),
    ]),
  );
  const step = (id: string): PathSteps => (steps.has(id) ? [[id, steps.get(id) ?? 0]] : []);
  /** The slowest of the steps named `<prefix><n>` (run in parallel). */
  const slowestOf = (prefix: string) =>
    slowest([...steps].filter(([id]) => new RegExp(`^${prefix}\\d+$`).test(id)).map((s): PathSteps => [s]));
  const narration = (v: number, language: string): PathSteps => {
    const p = `v${v}.${language}`;
    const speech = [...steps]
      .filter(([id]) => id.startsWith(`${p}.tts-`))
      .sort(([a], [b]) => Number(a.split('-').pop()) - Number(b.split('-').pop()))
      .map(([, ms]) => ms);
    const speechStep: PathSteps = speech.length
      ? [[`${p}.tts (${speech.length} chunks, ${speechLanes} at a time)`, laned(speech, speechLanes)]]
      : [];
    return [...slowestOf(`${p}\\.block-`), ...step(`${p}.review`), ...speechStep, ...step(`${p}.quality`)];
  };
  const variation = (v: number): PathSteps => [
    ...(v > 1 ? [...slowestOf(`v${v}\\.block-`), ...step(`v${v}.review`)] : []),
    ...slowest(languages.map((l) => narration(v, l))),
  ];
  const path: PathSteps = [
    ...step('premise'),
    ...blocks.flatMap((b) => step(`master.block-${b.index + 1}`)),
    ...step('master.review'),
    ...slowest(Array.from({ length: V }, (_, i) => variation(i + 1))),
  ];
  const totalMs = [...perStep.values()].flat().reduce((n, ms) => n + ms, 0);
  return {
    calls: calls.length,
    totalMs,
    criticalMs: pathMs(path),
    path: path.map(([id, ms]) => [id, Math.round(ms)] as const),
    byStep: steps,
  };
}

// ---------------------------------------------------------------------------------------------------
// Results.

/** Writes bench/results/<name>.json. */
export function writeResult(name: string, result: unknown): void {
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, `bench/results/${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** A short table of figures, their targets and whether they are met, for the end of a bench's output. */
export function printTable(
  title: string,
  rows: Array<[figure: string, value: number | null, target: string]>,
) {
  const met = (value: number | null, target: string) => {
    const m = /^([≥≤])\s*([\d.]+)/.exec(target);
    if (value === null || !m) return '';
    return (m[1] === '≥' ? value >= Number(m[2]) : value <= Number(m[2])) ? 'met' : 'NOT met';
  };
  const lines = rows.map(([f, v, t]) => [f, v === null ? '—' : String(v), t, met(v, t)]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...lines.map((l) => (l[i] ?? '').length), 6));
  console.log(`\n${title}`);
  for (const l of [['figure', 'value', 'target', ''], ...lines])
    console.log(l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
}

/** Model name and cores, from /proc/cpuinfo where there is one. */
export function machine() {
  const info = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    cores: os.availableParallelism(),
    cpu: /model name\s*:\s*(.+)/.exec(info)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
  };
}
