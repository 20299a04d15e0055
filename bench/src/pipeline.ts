// Benchmarks of the generation pipeline against fake Gemini and Google Cloud TTS servers with a fixed
// latency per call. Every figure is a ratio of times measured in this same run, never an absolute time:
//   fan-out efficiency   = (sequential baseline wall ÷ Bolt wall) ÷ ideal parallelism
//   orchestration overhead = Bolt wall ÷ critical-path provider time
//   TTS request fill     = mean bytes per speech request ÷ the provider's limit
//   TTS requests vs minimum = the fewest requests that chunks within blocks allow ÷ requests made
//   TTS request fill at best = the fill of the fewest requests each narration's bytes allow at all
//   assembly             = time to join, measure and encode ÷ audio duration, for a 30-minute narration
//   orchestration CPU    = CPU time of the Temporal server, the worker and PostgreSQL per activity, and
//                          per paid call ÷ the sequential baseline's (the same activities without Temporal)
// The fake speaks fast (0.1 ms of audio per character), so the job figures measure orchestration, not
// audio processing, which has its own figure: the whole stack (Temporal, PostgreSQL, the worker and
// ffmpeg) shares the machine's cores. Bolt's figures are from the median of five runs, as one run on a
// shared machine varies by a tenth. The fakes run in a process of their own, so the worker's CPU time is
// its own. Results go to bench/results/pipeline.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assembleNarration } from '@bolt/activities';
import { activityDeps } from '@bolt/cli';
import { storageKeys } from '@bolt/core';
import { SPEECH_CONCURRENCY } from '@bolt/workflows';
import {
  blocks,
  busyShare,
  cpuSpent,
  historyCounts,
  languages,
  machineCpu,
  openBench,
  printTable,
  round,
  runJob,
  sequentialBaseline,
  stackCpu,
  sum,
  V,
  writeResult,
} from './support.ts';

const LATENCY_MS = 200;
const TTS_LIMIT = 5000;
/** Bolt runs the job once per title (new titles, so nothing comes from the cache); the median run counts. */
const TITLES = [
  'O farol esquecido',
  'A última travessia',
  'O relógio da praça',
  'A carta sem remetente',
  'O último baile',
];

const bench = await openBench({ latencyMs: LATENCY_MS, msPerChar: 0.1 });
const { stack, fakes } = bench;
const deps = activityDeps(stack.config, stack.db, stack.storage, stack.log);
const paidCalls = async () => (await fakes.stats()).completed;
/** CPU seconds so far: this process runs the worker (and the baseline's activities); the fakes their own. */
const cpu = () => stackCpu({ fakes: fakes.pid }, 'worker');

async function bolt(title: string) {
  const cpu0 = machineCpu();
  const parts0 = cpu();
  const { ms, jobId } = await runJob(stack, title);
  // Share of all cores busy during the job (Temporal, PostgreSQL, the worker, ffmpeg, the fakes).
  return { ms, jobId, cpuBusy: busyShare(cpu0, machineCpu()), cpuSeconds: cpuSpent(parts0, cpu()) };
}

/**
 * Orchestration CPU: what the Temporal server, the worker and PostgreSQL spent per activity of a Bolt
 * run, and per paid call against the sequential baseline (the same activities' code and database
 * writes, without Temporal). ffmpeg and the fakes do the same work either way and are left out.
 */
async function orchestrationCpu(
  jobId: string,
  calls: number,
  bolt: Record<string, number>,
  baseline: Record<string, number>,
) {
  const { activities, workflowTasks } = await historyCounts(stack, jobId);
  const ms = (s: number | undefined, n: number) => round(((s ?? 0) * 1000) / n);
  const boltTotal = (bolt.temporalServer ?? 0) + (bolt.worker ?? 0) + (bolt.postgres ?? 0);
  const baselineTotal = (baseline.worker ?? 0) + (baseline.postgres ?? 0);
  return {
    activitiesPerJob: activities,
    workflowTasksPerJob: workflowTasks,
    paidCallsPerJob: calls,
    cpuMsPerActivity: {
      temporalServer: ms(bolt.temporalServer, activities),
      worker: ms(bolt.worker, activities),
      postgres: ms(bolt.postgres, activities),
      total: ms(boltTotal, activities),
    },
    boltCpuMsPerPaidCall: ms(boltTotal, calls),
    baselineCpuMsPerPaidCall: {
      process: ms(baseline.worker, calls),
      postgres: ms(baseline.postgres, calls),
      total: ms(baselineTotal, calls),
    },
    cpuPerCallVsBaseline: round(boltTotal / baselineTotal),
    orchestrationCpuMsPerActivity: ms(boltTotal - baselineTotal, activities),
  };
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

function medianRun<R extends { ms: number }>(runs: R[]): R {
  return runs.toSorted((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)] as R;
}

try {
  await bolt('Aquecimento'); // warm-up: workflow bundle, connections
  const before = await paidCalls();
  const baselineCpu0 = cpu();
  const { ms: baselineMs } = await sequentialBaseline(stack, 'A ponte de Alcântara');
  const baselineCpu = cpuSpent(baselineCpu0, cpu());
  const calls = (await paidCalls()) - before;
  const runs = [];
  for (const title of TITLES) runs.push(await bolt(title));
  const { ms: boltMs, jobId, cpuBusy, cpuSeconds } = medianRun(runs);
  // The least wall time the machine's cores need for the job's CPU work, however well it is spread.
  const cpuFloorMs = (sum(cpuSeconds) * 1000) / os.availableParallelism();

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
  const orchestration = await orchestrationCpu(jobId, calls, cpuSeconds, baselineCpu);
  const result = {
    setup: { variations: V, languages, blocks: blocks.length, latencyMs: LATENCY_MS, paidCalls: calls },
    baselineMs: Math.round(baselineMs),
    boltMs: Math.round(boltMs),
    boltRunsMs: runs.map((r) => Math.round(r.ms)),
    speedup: round(baselineMs / boltMs),
    cores: os.availableParallelism(),
    cpuBusyDuringBolt: cpuBusy,
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
    orchestrationCpu: orchestration,
  };
  writeResult('pipeline', result);
  console.log(JSON.stringify(result, null, 2));
  printTable('Pipeline (3×3 job, fake providers at 200 ms a call)', [
    ['fan-out efficiency', result.fanOutEfficiency, ''],
    ['  best on this machine', result.bestOnThisMachine.fanOutEfficiency, ''],
    ['orchestration overhead', result.orchestrationOverhead, ''],
    ['  best on this machine', result.bestOnThisMachine.orchestrationOverhead, ''],
    ['TTS request fill', result.ttsRequestFill, ''],
    ['assembly time per audio second', result.assemblyTimePerAudioSecond, ''],
    ['CPU ms per activity (Temporal, worker, PostgreSQL)', orchestration.cpuMsPerActivity.total, ''],
    ['Bolt CPU per paid call ÷ baseline', orchestration.cpuPerCallVsBaseline, ''],
  ]);
} finally {
  await bench.stop();
}
