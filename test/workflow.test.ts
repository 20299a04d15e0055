import fs from 'node:fs';
import path from 'node:path';
import { createActivities } from '@bolt/activities';
import { devServerFlags } from '@bolt/cli';
import { type JobProgress, type JobWorkflowInput, storageKeys } from '@bolt/core';
import { type Db, getJob, insertJob } from '@bolt/data';
import type { jobWorkflow } from '@bolt/workflows';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realDeps, repoRoot, testAgent } from './support/env.ts';
import { temporalCli, workflowBundle } from './support/temporal.ts';

const TASK_QUEUE = 'bolt-test';
const fixturesDir = path.join(repoRoot, 'test/fixtures/histories');

describe('jobWorkflow on the Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let db: Db;
  let ownerId: string;
  let filesDir: string;
  let activities: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCli() },
        extraArgs: devServerFlags,
      },
    });
    const real = await realDeps();
    ({ db, ownerId, filesDir } = real);
    activities = createActivities(real.deps);
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.destroy();
  });

  it('takes a title to a script and an MP3 per language; history holds references only', async () => {
    const jobId = crypto.randomUUID();
    const input: JobWorkflowInput = { jobId, source: 'pt-BR', languages: ['pt-BR', 'en-US'], variations: 1 };
    await insertJob(db, {
      id: jobId,
      owner_id: ownerId,
      agent_id: null,
      agent_snapshot: testAgent,
      title: 'A ponte de Alcântara',
      variations: 1,
      languages: input.languages,
      workflow_id: jobId,
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities,
    });
    const handle = await env.client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: jobId,
      args: [input],
    });
    const result = await worker.runUntil(handle.result());

    // The workflow's result is its final progress (the same object the `progress` query returns).
    const progress: JobProgress = result;
    expect(progress.status).toBe('completed');
    expect(progress.steps.length).toBe(9);
    for (const step of progress.steps) {
      expect(step, step.id).toMatchObject({ state: 'completed' });
      expect(step.startedAt && step.finishedAt && step.finishedAt >= step.startedAt, step.id).toBe(true);
    }
    const ids = progress.steps.map((s) => s.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'premise',
        'master.block-1',
        'master.block-2',
        'master.review',
        'v1.pt-BR',
        'v1.en-US',
        'finish',
      ]),
    );
    expect(progress.children).toEqual([`${jobId}/v1/pt-BR`, `${jobId}/v1/en-US`]);
    expect(progress.steps.find((s) => s.id === 'v1.en-US')?.output).toBe(
      storageKeys.audio(jobId, 1, 'en-US'),
    );

    const job = await getJob(db, jobId);
    expect(job?.status).toBe('completed');
    expect(Object.keys(job?.result?.audio ?? {}).sort()).toEqual(['en-US', 'pt-BR']);
    expect(job?.tts_chars).toBeGreaterThan(0);
    expect(job?.audio_seconds).toBeGreaterThan(1);
    for (const key of Object.values(job?.result?.audio ?? {}))
      expect(fs.statSync(path.join(filesDir, key)).size).toBeGreaterThan(1000);

    // Scripts and audio live in storage; the history carries keys and counts, never the text itself.
    const history = await handle.fetchHistory();
    const historyJson = historyToJSON(history);
    const premise = fs.readFileSync(path.join(filesDir, storageKeys.premise(jobId)), 'utf8');
    const block = fs.readFileSync(path.join(filesDir, storageKeys.block(jobId, 1, 'en-US', 0)), 'utf8');
    for (const text of [premise, block])
      expect(historyJson).not.toContain(JSON.stringify(text.slice(0, 40)).slice(1, -1));
    expect(historyJson).not.toContain(testAgent.premise_prompt);

    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, jobId);
    if (process.env.BOLT_RECORD_HISTORIES === '1') {
      fs.mkdirSync(fixturesDir, { recursive: true });
      fs.writeFileSync(path.join(fixturesDir, 'job-pt-BR-en-US.json'), historyJson);
    }
  });
});
