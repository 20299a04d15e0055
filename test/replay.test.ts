import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/env.ts';
import { workflowBundle, workflowsPath } from './support/temporal.ts';

const dir = path.join(repoRoot, 'test/fixtures/histories');

// Recorded histories must replay on today's workflow code: a change that breaks determinism for running
// jobs fails here. `BOLT_RECORD_HISTORIES=1 npx vitest run test/workflow.test.ts test/pipeline.test.ts`
// records today's; recordings of older code are kept under their date, so the old side of each
// `patched()` branch keeps replaying for runs that started before the patch.
describe('replay of recorded workflow histories', () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('replays each without nondeterminism', async () => {
    const histories = files.map((f) => ({
      workflowId: f,
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))),
    }));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories))
      results.push(r);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(files.map((f) => [f, undefined]));
  });

  it("replays with the worker's metrics interceptor too, which counts no job again", async () => {
    const histories = files.map((f) => ({
      workflowId: f,
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))),
    }));
    const bundle = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [createRequire(import.meta.url).resolve('@bolt/workflows/interceptors')],
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const finished: string[] = [];
    const results = [];
    for await (const r of Worker.runReplayHistories(
      {
        workflowBundle: bundle,
        sinks: { metrics: { jobFinished: { fn: (_info, status: string) => void finished.push(status) } } },
      },
      histories,
    ))
      results.push(r);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(files.map((f) => [f, undefined]));
    expect(finished).toEqual([]);
  });
});
