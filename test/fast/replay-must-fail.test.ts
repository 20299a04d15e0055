import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/temporal.ts';
import { quietRuntime } from './support.ts';

// The replay test (test/replay.test.ts) only proves something if replay can fail: a workflow whose
// commands differ from a recorded history's must be refused, while today's code replays it.
const historyFile = path.join(import.meta.dirname, '../fixtures/histories/job-pt-BR-en-US.json');
const changedWorkflows = path.join(import.meta.dirname, 'fixtures/changed-job-workflow.ts');
const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('replay of a recorded history', () => {
  const history = () => historyFromJSON(JSON.parse(fs.readFileSync(historyFile, 'utf8')));

  it('accepts the workflows as they are and refuses a changed one', async () => {
    quietRuntime();
    const [real, changed] = await Promise.all([
      workflowBundle(),
      bundleWorkflowCode({ workflowsPath: changedWorkflows, logger: silent }),
    ]);

    await Worker.runReplayHistory({ workflowBundle: real }, history(), 'job-pt-BR-en-US');

    const error = await Worker.runReplayHistory(
      { workflowBundle: changed },
      history(),
      'job-pt-BR-en-US',
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DeterminismViolationError);
    // The refusal names the change: the history has the step `start` first, the code asks for `premise`.
    expect((error as Error).message).toContain(`'premise'`);
  });
});
