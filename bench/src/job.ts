// Times one job through Bolt (Temporal workflow, embedded stack) against a baseline measured in the same
// run: the same activities called one after another in-process, as the original system did. Reports
// the ratio, not absolute times; writes bench/results/job.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities, insertJob } from '@bolt/activities';
import { startJob } from '@bolt/api';
import { activityDeps, freePort, openStack } from '@bolt/cli';
import { type Agent, agentSchema, loadConfig, planBlocks } from '@bolt/core';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const root = path.resolve(import.meta.dirname, '../..');
const agent: Agent = agentSchema.parse(
  JSON.parse(fs.readFileSync(path.join(root, 'examples/agents/historias-pt-br.json'), 'utf8')),
);
const languages = [agent.idioma, ...agent.idiomas_alvo];
const title = 'A ponte de Alcântara';

const config = loadConfig({
  ...process.env,
  BOLT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-bench-')),
  TEMPORAL_PORT: String(await freePort()),
  TEMPORAL_UI_PORT: String(await freePort()),
  BOLT_LOCAL_MAX_TOKENS: process.env.BOLT_LOCAL_MAX_TOKENS ?? '64',
  BOLT_LOG_LEVEL: 'warn',
});
const stack = await openStack(config, { worker: true, join: false });

async function sequentialBaseline(): Promise<number> {
  const acts = createActivities(activityDeps(config, stack.db, stack.storage, stack.log));
  const env = new MockActivityEnvironment();
  const run = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...args: A) =>
    env.run(fn, ...args) as Promise<R>;
  const jobId = crypto.randomUUID();
  await insertJob(stack.db, {
    id: jobId,
    owner_id: stack.ownerId,
    agent_id: null,
    agent_snapshot: agent,
    titulo: title,
    num_variacoes: 1,
    languages,
    workflow_id: jobId,
  });
  const t0 = performance.now();
  const plan = planBlocks(agent.block_structure_prompt);
  await run(acts.generatePremise, { jobId });
  for (const b of plan) await run(acts.writeBlock, { jobId, block: b.index, plan });
  for (const language of languages) {
    if (language !== agent.idioma)
      for (const b of plan) await run(acts.adaptBlock, { jobId, language, block: b.index });
    await run(acts.assembleScript, { jobId, language, plan });
    const { chunks } = await run(acts.planNarration, { jobId, language, plan });
    for (let chunk = 0; chunk < chunks; chunk++) await run(acts.synthesizeChunk, { jobId, language, chunk });
    await run(acts.assembleAudio, { jobId, language, chunks });
  }
  return performance.now() - t0;
}

async function bolt(): Promise<number> {
  const t0 = performance.now();
  const jobId = await startJob(stack, { ownerId: stack.ownerId, agent, titulo: title, languages });
  await stack.client.workflow.getHandle(jobId).result();
  return performance.now() - t0;
}

try {
  await bolt(); // warm-up: model load, workflow bundle, connections
  const baselineMs = await sequentialBaseline();
  const boltMs = await bolt();
  const result = {
    benchmark: 'one job, embedded stack',
    languages,
    blocks: planBlocks(agent.block_structure_prompt).length,
    baselineMs: Math.round(baselineMs),
    boltMs: Math.round(boltMs),
    speedup: Number((baselineMs / boltMs).toFixed(3)),
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/job.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `sequential baseline ÷ Bolt = ${result.speedup} (baseline ${result.baselineMs} ms, Bolt ${result.boltMs} ms)`,
  );
} finally {
  await stack.stop();
}
