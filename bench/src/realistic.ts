// A 3 variations × 3 languages job against fake providers that take as long as the real ones
// (`realisticLatency`: Gemini 2.5 Flash's first token and output speed, Cloud TTS's time per request and
// per character), as a user waits for it. Ratios measured in this same run:
//   fan-out efficiency = (sequential baseline wall ÷ Bolt wall) ÷ ideal parallelism, where the ideal
//                        parallelism is the baseline's provider time ÷ the critical path's
//   wall ÷ critical path = Bolt wall ÷ the provider time of the calls on the job's critical path, each
//                        call's time from the profile and the tokens or characters it answered
// and, as pipeline.ts does, the same figures for the least wall time the machine's CPU allows.
// Bolt's figures are from the median of three runs by a `bolt worker` process with Bolt's defaults, then
// of three more by one allowed more requests in flight per provider (BOLT_PROVIDER_CONCURRENCY), which
// shows what that limit costs. Results go to bench/results/realistic.json.
import os from 'node:os';
import { SPEECH_CONCURRENCY } from '@bolt/workflows';
import { realisticLatency } from '../../test/fakes/providers.ts';
import {
  activityTimeline,
  blocks,
  busyShare,
  cpuSpent,
  languages,
  machine,
  machineCpu,
  openBench,
  printTable,
  providerTime,
  round,
  runJob,
  sequentialBaseline,
  spawnWorker,
  stackCpu,
  stopWorker,
  sum,
  V,
  writeResult,
} from './support.ts';

const TITLES = ['O farol esquecido', 'A última travessia', 'O relógio da praça'];
const MORE_TITLES = ['A carta sem remetente', 'O último baile', 'A casa da colina'];
const profile = realisticLatency;
/** Requests in flight per provider in a worker: Bolt's default, then raised to see what the limit costs. */
const RAISED_CONCURRENCY = 'gemini=64,google-tts=64,openai=64';

// The worker runs in a process of its own, so that it can be started again with other settings.
const bench = await openBench({ msPerChar: 0.1 }, {}, { worker: false });
const { stack, fakes } = bench;
const critical = (jobId: string) => providerTime(stack, jobId, profile, SPEECH_CONCURRENCY);

/** The median of runs of Bolt, one per title, by a worker started with `env`. */
async function boltRuns(titles: string[], env: Record<string, string> = {}) {
  const worker = await spawnWorker(bench, env);
  const cpu = () => stackCpu({ fakes: fakes.pid, worker }, 'bench');
  try {
    const runs = [];
    for (const title of titles) {
      const machine0 = machineCpu();
      const cpu0 = cpu();
      const from = Date.now();
      const { ms, jobId } = await runJob(stack, title);
      const { maxOpen, byApi } = await fakes.stats(from, Date.now());
      const path = await critical(jobId);
      runs.push({
        ms,
        breakdown: breakdown(jobId, await activityTimeline(stack, jobId), path.byStep),
        cpuBusy: busyShare(machine0, machineCpu()),
        cpuSeconds: cpuSpent(cpu0, cpu()),
        path,
        maxOpenRequests: {
          all: maxOpen,
          ...Object.fromEntries(Object.entries(byApi).map(([a, c]) => [a, c.maxOpen])),
        },
      });
    }
    const run = runs.toSorted((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
    if (!run) throw new Error('no run');
    return { ...run, runsMs: runs.map((r) => Math.round(r.ms)) };
  } finally {
    await stopWorker(bench, worker);
  }
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Where a job's time went besides the providers, from its workflow histories: the start of a paid
 * activity to its end less the provider time (key ring waits, storage, ledger), the wait between being
 * scheduled and started, the gap between one step ending and the next being scheduled (a workflow
 * task) along the master script's chain, that chain's wall time against its provider time, and the
 * median time of each kind of unpaid step (review, script, audio...); and `lastChain`, the steps that
 * set the job's end: from its last step back, each the step that closed last before it was scheduled,
 * as [step, scheduled at (ms from the job's first step), took (ms), provider time (ms)].
 */
function breakdown(
  jobId: string,
  timeline: Awaited<ReturnType<typeof activityTimeline>>,
  byStep: Map<string, number>,
) {
  const paid = timeline.filter((a) => byStep.has(a.id) && !a.id.endsWith('.quality'));
  const chainIds = ['start', 'premise', 'plan', ...blocks.map((b) => `master.block-${b.index + 1}`)];
  const chain = chainIds.flatMap((id) => timeline.filter((a) => a.workflow === jobId && a.id === id));
  const gaps = chain.slice(1).map((a, i) => a.scheduled - (chain[i]?.closed ?? a.scheduled));
  const kinds = new Map<string, number[]>();
  for (const a of timeline.filter((t) => !byStep.has(t.id))) {
    const kind = a.id.replace(/^v\d+\.([a-z]{2}-[A-Z]{2}\.)?/, '').replace(/^master\./, '');
    kinds.set(kind, [...(kinds.get(kind) ?? []), a.closed - a.scheduled]);
  }
  const closedInOrder = timeline.filter((a) => a.closed > 0).toSorted((a, b) => a.closed - b.closed);
  const t0 = Math.min(...timeline.map((a) => a.scheduled));
  const lastChain: Array<[string, number, number, number]> = [];
  let step = timeline.find((a) => a.workflow === jobId && a.id === 'finish');
  for (let n = 0; step && n < 200; n++) {
    const { id, scheduled, closed } = step;
    lastChain.unshift([
      id,
      Math.round(scheduled - t0),
      Math.round(closed - scheduled),
      Math.round(byStep.get(id) ?? 0),
    ]);
    step = closedInOrder.filter((a) => a.closed <= scheduled + 1 && a !== step).at(-1);
  }
  const premise = chain.find((a) => a.id === 'premise');
  const last = chain.at(-1);
  return {
    paidActivityOverheadMs: Math.round(
      median(paid.map((a) => a.closed - a.started - (byStep.get(a.id) ?? 0))),
    ),
    scheduledToStartedMs: Math.round(median(timeline.map((a) => a.started - a.scheduled))),
    gapBetweenStepsMs: Math.round(median(gaps)),
    masterChain: {
      wallMs: Math.round((last?.closed ?? 0) - (premise?.scheduled ?? 0)),
      providerMs: Math.round(chainIds.reduce((n, id) => n + (byStep.get(id) ?? 0), 0)),
    },
    unpaidStepMs: Object.fromEntries([...kinds].map(([kind, ms]) => [kind, Math.round(median(ms))])),
    lastChain,
  };
}

/** Fan-out efficiency and wall ÷ critical path of a median run, and the best the machine's CPU allows. */
function figures(baseline: { ms: number; providerMs: number }, run: Awaited<ReturnType<typeof boltRuns>>) {
  const idealParallelism = baseline.providerMs / run.path.criticalMs;
  const cpuFloorMs = (sum(run.cpuSeconds) * 1000) / os.availableParallelism();
  const bestMs = Math.max(cpuFloorMs, run.path.criticalMs);
  return {
    boltMs: Math.round(run.ms),
    boltRunsMs: run.runsMs,
    criticalPathMs: Math.round(run.path.criticalMs),
    criticalPath: run.path.path,
    boltProviderMs: Math.round(run.path.totalMs),
    idealParallelism: round(idealParallelism),
    speedup: round(baseline.ms / run.ms),
    fanOutEfficiency: round(baseline.ms / run.ms / idealParallelism),
    wallOverCriticalPath: round(run.ms / run.path.criticalMs),
    maxOpenRequests: run.maxOpenRequests,
    breakdown: run.breakdown,
    cpuBusyDuringBolt: run.cpuBusy,
    cpuSecondsPerJob: run.cpuSeconds,
    cpuFloorMs: Math.round(cpuFloorMs),
    bestOnThisMachine: {
      fanOutEfficiency: round(baseline.ms / bestMs / idealParallelism),
      wallOverCriticalPath: round(bestMs / run.path.criticalMs),
    },
  };
}

try {
  // Warm-up at no latency: workflow bundle, connections.
  const warm = await spawnWorker(bench);
  await runJob(stack, 'Aquecimento');
  await stopWorker(bench, warm);
  await fakes.setLatencyProfile(profile);
  const sequential = await sequentialBaseline(stack, 'A ponte de Alcântara');
  const baselinePath = await critical(sequential.jobId);
  const baseline = { ms: sequential.ms, providerMs: baselinePath.totalMs };
  const standard = figures(baseline, await boltRuns(TITLES));
  const raised = figures(
    baseline,
    await boltRuns(MORE_TITLES, { BOLT_PROVIDER_CONCURRENCY: RAISED_CONCURRENCY }),
  );
  const result = {
    machine: machine(),
    setup: { variations: V, languages, blocks: blocks.length, profile, paidCalls: baselinePath.calls },
    baselineMs: Math.round(baseline.ms),
    baselineProviderMs: Math.round(baseline.providerMs),
    ...standard,
    withRaisedConcurrency: { BOLT_PROVIDER_CONCURRENCY: RAISED_CONCURRENCY, ...raised },
  };
  writeResult('realistic', result);
  console.log(JSON.stringify(result, null, 2));
  printTable('3×3 job, realistic provider latency', [
    ['fan-out efficiency', standard.fanOutEfficiency, '≥ 0.85'],
    ['wall ÷ critical path', standard.wallOverCriticalPath, '≤ 1.10'],
    ['  CPU floor ÷ critical path', round(standard.cpuFloorMs / standard.criticalPathMs), '≤ 1.10'],
    [`fan-out efficiency, ${RAISED_CONCURRENCY}`, raised.fanOutEfficiency, '≥ 0.85'],
    [`wall ÷ critical path, ${RAISED_CONCURRENCY}`, raised.wallOverCriticalPath, '≤ 1.10'],
  ]);
} finally {
  await bench.stop();
}
