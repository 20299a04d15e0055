// How far Bolt's workers carry load, as ratios measured in this same run:
//   one worker: 20 concurrent 3 × 3 jobs against fast fakes (200 ms a call): jobs per minute ÷ the jobs
//     per minute the machine's CPU allows (its cores ÷ the CPU seconds each job used, every process of
//     the stack counted as pipeline.ts counts them);
//   two workers: the same batch of jobs against slow fakes (1 s a call) with few activity slots per
//     worker (BOLT_WORKER_ACTIVITIES), so the slots are the bottleneck: jobs per minute with two
//     `bolt worker` processes ÷ with one.
// Results go to bench/results/scale.json.
import os from 'node:os';
import type { Stack } from '@bolt/cli';
import { workflowIds } from '@bolt/core';
import {
  busyShare,
  cpuSpent,
  machine,
  machineCpu,
  openBench,
  printTable,
  round,
  runJob,
  spawnWorker,
  stackCpu,
  startBenchJob,
  stopWorker,
  sum,
  writeResult,
} from './support.ts';

/** Jobs started at once for one worker on fast fakes, then for one and two workers on slow ones. */
const [CONCURRENT_JOBS, SLOW_JOBS] = [20, 8];
/** Activity slots of each worker on slow fakes: few, so that they are the limit. */
const SLOTS = 3;
/** No batch may take longer than this. */
const BATCH_TIMEOUT_MS = 40 * 60_000;

/** Starts `n` jobs at once and waits for them all (bounded in time); jobs per minute and the wall time. */
async function batch(stack: Stack, n: number, label: string) {
  const t0 = performance.now();
  const ids = [];
  for (let i = 0; i < n; i++) ids.push(await startBenchJob(stack, `${label} ${i + 1}`));
  const all = Promise.all(ids.map((id) => stack.client.workflow.getHandle(workflowIds.job(id)).result()));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label}: not done in ${BATCH_TIMEOUT_MS / 60_000} min`)),
      BATCH_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - t0;
  return { ms: Math.round(ms), jobsPerMinute: round(n / (ms / 60_000)) };
}

/** One in-process worker, 20 jobs at once on fast fakes. */
async function oneWorker() {
  const bench = await openBench({ latencyMs: 200, msPerChar: 0.1 });
  try {
    await runJob(bench.stack, 'Aquecimento');
    const parts = () => stackCpu({ fakes: bench.fakes.pid }, 'worker');
    const machine0 = machineCpu();
    const cpu0 = parts();
    const run = await batch(bench.stack, CONCURRENT_JOBS, 'Escala');
    const cpuSeconds = cpuSpent(cpu0, parts());
    const cpuSecondsPerJob = sum(cpuSeconds) / CONCURRENT_JOBS;
    const cpuFloorJobsPerMinute = (60 * os.availableParallelism()) / cpuSecondsPerJob;
    return {
      jobs: CONCURRENT_JOBS,
      ...run,
      cpuBusy: busyShare(machine0, machineCpu()),
      cpuSeconds,
      cpuSecondsPerJob: round(cpuSecondsPerJob),
      cpuFloorJobsPerMinute: round(cpuFloorJobsPerMinute),
      vsCpuFloor: round(run.jobsPerMinute / cpuFloorJobsPerMinute),
    };
  } finally {
    await bench.stop();
  }
}

/** `bolt worker` processes of few slots each, on slow fakes: one, then two. */
async function twoWorkers() {
  const bench = await openBench({ latencyMs: 1000, msPerChar: 0.1 }, {}, { worker: false });
  try {
    const env = { BOLT_WORKER_ACTIVITIES: String(SLOTS) };
    const first = await spawnWorker(bench, env);
    await runJob(bench.stack, 'Aquecimento');
    const measure = async (label: string, workers: Record<string, number>) => {
      const machine0 = machineCpu();
      const cpu0 = stackCpu({ fakes: bench.fakes.pid, ...workers }, 'bench');
      const run = await batch(bench.stack, SLOW_JOBS, label);
      const cpu = stackCpu({ fakes: bench.fakes.pid, ...workers }, 'bench');
      return { ...run, cpuBusy: busyShare(machine0, machineCpu()), cpuSeconds: cpuSpent(cpu0, cpu) };
    };
    const one = await measure('Um trabalhador', { worker1: first });
    const second = await spawnWorker(bench, env);
    const two = await measure('Dois trabalhadores', { worker1: first, worker2: second });
    await stopWorker(bench, second);
    return {
      jobs: SLOW_JOBS,
      slotsPerWorker: SLOTS,
      latencyMs: 1000,
      one,
      two,
      speedup: round(two.jobsPerMinute / one.jobsPerMinute),
    };
  } finally {
    await bench.stop();
  }
}

const one = await oneWorker();
const two = await twoWorkers();
const result = { machine: machine(), oneWorker: one, twoWorkers: two };
writeResult('scale', result);
console.log(JSON.stringify(result, null, 2));
printTable('Scale', [
  ['one worker, 20 jobs: jobs/min', one.jobsPerMinute, ''],
  ['  ÷ jobs/min the CPU allows', one.vsCpuFloor, ''],
  ['two workers ÷ one (jobs/min, slots the limit)', two.speedup, '≥ 1.8'],
]);
