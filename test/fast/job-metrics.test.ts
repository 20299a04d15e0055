import { createRequire } from 'node:module';
import type { JobWorkflowInput } from '@bolt/core';
import { workflowIds } from '@bolt/core/ids';
import type { jobWorkflow } from '@bolt/workflows';
import type { BoltSinks } from '@bolt/workflows/interceptors';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type InjectedSinks, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowsPath } from '../support/temporal.ts';
import { fastTestEnvironment, stubActivities } from './support.ts';

// The workflow interceptor the product's workers load counts each job run once, as it ends, through a
// sink: here with stub activities, a job that completes and one that fails.

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await fastTestEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

describe("the worker's job metrics", () => {
  it('counts a job run once as it ends, by status; its narrations are not jobs', async () => {
    const finished: Array<[string, string]> = [];
    const sinks: InjectedSinks<BoltSinks> = {
      metrics: { jobFinished: { fn: (info, status) => void finished.push([info.workflowId, status]) } },
    };
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [createRequire(import.meta.url).resolve('@bolt/workflows/interceptors')],
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const taskQueue = `fast-metrics-${process.pid}`;
    const stubs = stubActivities({
      blocks: 1,
      chunks: () => 1,
      overrides: {
        async generatePremise({ jobId }) {
          if (jobId.startsWith('0')) throw ApplicationFailure.nonRetryable('refused', 'Refused');
          return { key: `jobs/${jobId}/premise.txt`, attempt: 1 };
        },
      },
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: stubs.activities,
      sinks,
    });
    const run = (jobId: string) => {
      const input: JobWorkflowInput = {
        jobId,
        source: 'pt-BR',
        languages: ['pt-BR', 'en-US'],
        variations: 1,
      };
      return env.client.workflow.execute<typeof jobWorkflow>('jobWorkflow', {
        taskQueue,
        workflowId: workflowIds.job(jobId),
        args: [input],
      });
    };
    const good = `1${crypto.randomUUID().slice(1)}`;
    const bad = `0${crypto.randomUUID().slice(1)}`;
    await worker.runUntil(async () => {
      await run(good);
      await expect(run(bad)).rejects.toBeInstanceOf(WorkflowFailedError);
    });
    expect(finished).toEqual([
      [good, 'completed'],
      [bad, 'failed'],
    ]);
  });
});
