// Benchmarks of the generation pipeline against fake Gemini and Google Cloud TTS servers with a fixed
// latency per call. Every figure is a ratio of times measured in this same run, never an absolute time:
//   fan-out efficiency   = (sequential baseline wall ÷ Bolt wall) ÷ ideal parallelism
//   orchestration overhead = Bolt wall ÷ critical-path provider time
//   TTS request fill     = mean bytes per speech request ÷ the provider's limit
//   TTS requests vs minimum = the fewest requests that chunks within blocks allow ÷ requests made
//   TTS request fill at best = the fill of the fewest requests each narration's bytes allow at all
//   assembly             = time to join, measure and encode ÷ audio duration, for a 30-minute narration
// The fake speaks fast (0.1 ms of audio per character), so the job figures measure orchestration, not
// audio processing, which has its own figure: the whole stack (Temporal, PostgreSQL, the worker and
// ffmpeg) shares the machine's cores. Bolt's figures are from the median of five runs, as one run on a
// shared machine varies by a tenth. Results go to bench/results/pipeline.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assembleNarration, createActivities, type JobActivities } from '@bolt/activities';
import { activityDeps, freePort, openStack } from '@bolt/cli';
import { type Agent, jobAgentSchema, loadConfig, planBlocks, storageKeys, workflowIds } from '@bolt/core';
import { insertJob } from '@bolt/data';
import { startJob } from '@bolt/jobs';
import { SPEECH_CONCURRENCY } from '@bolt/workflows';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startFakeProviders } from '../../test/fakes/providers.ts';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const root = path.resolve(import.meta.dirname, '../..');
const LATENCY_MS = 200;
const TTS_LIMIT = 5000;
const V = 3;
/** Bolt runs the job once per title (new titles, so nothing comes from the cache); the median run counts. */
const TITLES = [
  'O farol esquecido',
  'A última travessia',
  'O relógio da praça',
  'A carta sem remetente',
  'O último baile',
];
const languages = ['pt-BR', 'en-US', 'es-ES'];

const agent: Agent = jobAgentSchema.parse({
  name: 'Bench',
  language: 'pt-BR',
  premise_prompt: 'Escreva a premissa da história em duas frases.',
  block_structure_prompt: '3 blocos de ~1500 palavras: gancho, conflito, desfecho',
  target_languages: languages.slice(1),
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C', 'es-ES': 'es-ES-Wavenet-B' },
  llm_provider: 'gemini',
  tts_provider: 'google',
});
const blocks = planBlocks(agent.block_structure_prompt);

const fake = await startFakeProviders({ latencyMs: LATENCY_MS, msPerChar: 0.1 });
const config = loadConfig({
  ...process.env,
  ...fake.env,
  GEMINI_API_KEY: 'valid-bench-gemini',
  GOOGLE_TTS_API_KEY: 'valid-bench-tts',
  BOLT_RATE_LIMITS: 'gemini=60000,google-tts=60000,openai=60000',
  BOLT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-bench-')),
  TEMPORAL_PORT: String(await freePort()),
  TEMPORAL_UI_PORT: String(await freePort()),
  BOLT_LOCAL_MAX_TOKENS: '4096',
  BOLT_LOG_LEVEL: 'warn',
});
const stack = await openStack(config, { worker: true, join: false });
const deps = activityDeps(config, stack.db, stack.storage, stack.log);
const paidCalls = () => fake.requests.filter((r) => r.completed).length;

/** The original system's way: every call one after another, in one process. */
async function sequentialBaseline(title: string): Promise<number> {
  const acts: JobActivities = createActivities(deps);
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
  return performance.now() - t0;
}

/** Busy and total CPU time of the whole machine so far, from /proc/stat (Linux), in clock ticks. */
function machineCpu(): { busy: number; total: number } | undefined {
  if (!fs.existsSync('/proc/stat')) return undefined;
  const ticks =
    fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = ticks.reduce((n, t) => n + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** CPU seconds used so far by each part of the stack, from /proc (Linux; empty elsewhere). */
function stackCpu(): Record<string, number> {
  if (!fs.existsSync('/proc/self/stat')) return {};
  const USER_HZ = 100; // clock ticks per second in /proc on Linux
  const times = (pid: string) => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return { name, parent: f[1], own: (f[11] ?? 0) + (f[12] ?? 0), children: (f[13] ?? 0) + (f[14] ?? 0) };
  };
  const self = times('self');
  const byName = { temporal: 0, postgres: 0 };
  let launcher = 0; // the worker's launcher process and the ffmpeg runs it waited for
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const t = times(pid);
      if (t.name === 'temporal' || t.name === 'postgres') byName[t.name] += t.own;
      else if (t.parent === process.pid) launcher += t.own + t.children;
    } catch {} // it exited while being listed
  }
  return {
    temporalServer: byName.temporal / USER_HZ,
    workerAndFakes: self.own / USER_HZ,
    ffmpeg: (self.children + launcher) / USER_HZ,
    postgres: byName.postgres / USER_HZ,
  };
}

async function bolt(title: string) {
  const cpu0 = machineCpu();
  const parts0 = stackCpu();
  const t0 = performance.now();
  const jobId = await startJob(stack, {
    ownerId: stack.ownerId,
    agent,
    title: title,
    languages,
    variations: V,
  });
  await stack.client.workflow.getHandle(workflowIds.job(jobId)).result();
  const ms = performance.now() - t0;
  const cpu1 = machineCpu();
  const parts1 = stackCpu();
  // Share of all cores busy during the job (Temporal, PostgreSQL, the worker, ffmpeg, the fakes).
  const cpuBusy = cpu0 && cpu1 ? (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total) : undefined;
  const cpuSeconds = Object.fromEntries(
    Object.entries(parts1).map(([part, s]) => [part, round(s - (parts0[part] ?? 0))]),
  );
  return { ms, jobId, cpuBusy, cpuSeconds };
}

/** Every narration's chunks (block and size in bytes) of a job, from the narration plans. */
async function chunkBytes(jobId: string): Promise<Array<Array<{ block: number; bytes: number }>>> {
  const plans = [];
  for (let variation = 1; variation <= V; variation++)
    for (const language of languages) {
      const plan = JSON.parse(
        (await stack.storage.get(storageKeys.narrationPlan(jobId, variation, language))).toString(),
      ) as { chunks: Array<{ text: string; block: number }> };
      plans.push(plan.chunks.map((c) => ({ block: c.block, bytes: Buffer.byteLength(c.text) })));
    }
  return plans;
}

/** The fewest requests a narration needs when no request spans two blocks. */
function fewestRequests(chunks: Array<{ block: number; bytes: number }>): number {
  const perBlock = new Map<number, number>();
  for (const c of chunks) perBlock.set(c.block, (perBlock.get(c.block) ?? 0) + c.bytes);
  return [...perBlock.values()].reduce((n, bytes) => n + Math.ceil(bytes / TTS_LIMIT), 0);
}

/** The fewest requests a narration needs at all, even with requests that span blocks. */
const fewestAtAll = (chunks: Array<{ bytes: number }>) =>
  Math.ceil(chunks.reduce((n, c) => n + c.bytes, 0) / TTS_LIMIT);

/** Assembly time ÷ audio duration: a 30-minute narration from 60-second chunks, 10 blocks. */
async function assemblyRatio(): Promise<number> {
  const { ffmpeg } = deps.audio;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-bench-audio-'));
  const file = path.join(dir, 'chunk.wav');
  // biome-ignore format: one ffmpeg flag and its value per line reads best
  execFileSync(ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'sine=frequency=220:sample_rate=24000:duration=60',
    '-ac', '1', '-c:a', 'pcm_s16le', file,
  ]);
  const wav = fs.readFileSync(file);
  const chunks = Array.from({ length: 30 }, (_, i) => ({ wav, block: Math.floor(i / 3) }));
  const t0 = performance.now();
  const { durationSeconds } = await assembleNarration(
    deps.audio,
    chunks,
    Array.from({ length: 10 }, (_, i) => `Block ${i + 1}`),
    { title: 'Bench', artist: 'Bolt', language: 'en-US' },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return (performance.now() - t0) / 1000 / durationSeconds;
}

const round = (n: number) => Number(n.toFixed(3));

function medianRun<R extends { ms: number }>(runs: R[]): R {
  return runs.toSorted((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)] as R;
}

try {
  await bolt('Aquecimento'); // warm-up: workflow bundle, connections
  const before = paidCalls();
  const baselineMs = await sequentialBaseline('A ponte de Alcântara');
  const calls = paidCalls() - before;
  const runs = [];
  for (const title of TITLES) runs.push(await bolt(title));
  const { ms: boltMs, jobId, cpuBusy, cpuSeconds } = medianRun(runs);
  // The least wall time the machine's cores need for the job's CPU work, however well it is spread.
  const cpuFloorMs =
    (Object.values(cpuSeconds).reduce((n, s) => n + s, 0) * 1000) / os.availableParallelism();

  // Critical path in provider calls: premise, master blocks one by one, variation blocks (in parallel),
  // adaptation (in parallel), then the longest narration's speech in waves of SPEECH_CONCURRENCY.
  const sizes = await chunkBytes(jobId);
  const waves = Math.max(...sizes.map((s) => Math.ceil(s.length / SPEECH_CONCURRENCY)));
  const criticalCalls = 1 + blocks.length + (V > 1 ? 1 : 0) + 1 + waves;
  const idealParallelism = calls / criticalCalls;
  const criticalMs = criticalCalls * LATENCY_MS;
  // The best figures the machine allows: the wall time no less than the CPU floor nor the critical path.
  const bestMs = Math.max(cpuFloorMs, criticalMs);
  const all = sizes.flat().map((c) => c.bytes);
  const totalBytes = all.reduce((n, b) => n + b, 0);
  const result = {
    setup: { variations: V, languages, blocks: blocks.length, latencyMs: LATENCY_MS, paidCalls: calls },
    baselineMs: Math.round(baselineMs),
    boltMs: Math.round(boltMs),
    boltRunsMs: runs.map((r) => Math.round(r.ms)),
    speedup: round(baselineMs / boltMs),
    cores: os.availableParallelism(),
    cpuBusyDuringBolt: cpuBusy === undefined ? null : round(cpuBusy),
    cpuSecondsPerJob: cpuSeconds,
    cpuFloorMs: Math.round(cpuFloorMs),
    idealParallelism: round(idealParallelism),
    fanOutEfficiency: round(baselineMs / boltMs / idealParallelism),
    orchestrationOverhead: round(boltMs / criticalMs),
    bestOnThisMachine: {
      fanOutEfficiency: round(baselineMs / bestMs / idealParallelism),
      orchestrationOverhead: round(bestMs / criticalMs),
    },
    ttsRequestFill: round(totalBytes / all.length / TTS_LIMIT),
    ttsRequestsVsMinimum: round(sizes.reduce((n, s) => n + fewestRequests(s), 0) / all.length),
    ttsRequestFillAtBest: round(totalBytes / (sizes.reduce((n, s) => n + fewestAtAll(s), 0) * TTS_LIMIT)),
    assemblyTimePerAudioSecond: round(await assemblyRatio()),
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/pipeline.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await stack.stop();
  await fake.close();
}
