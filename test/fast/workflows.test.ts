import type { JobActivities } from '@bolt/activities';
import type { JobProgress, JobWorkflowInput, NarrationWorkflowInput } from '@bolt/core';
import { workflowIds } from '@bolt/core/ids';
import { jobPercent } from '@bolt/core/progress';
import type { jobWorkflow, NarrationResult, narrationWorkflow } from '@bolt/workflows';
import { Context } from '@temporalio/activity';
import {
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  type WorkflowExecutionDescription,
  WorkflowFailedError,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/temporal.ts';
import { deferred, fastTestEnvironment, stubActivities, stubKeys } from './support.ts';

// The real job and narration workflows on a real worker and Temporal test server, with activities
// replaced by stubs that do no I/O: these tests are about the workflows' own logic.

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([fastTestEnvironment(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

let queues = 0;
/** A worker of its own for one test (a task queue per test, so stubs never serve another test). */
async function withWorker<T>(activities: JobActivities, run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `fast-${process.pid}-${++queues}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    // Cancellation reaches an activity with a heartbeat's reply: don't hold heartbeats back.
    maxHeartbeatThrottleInterval: '50 ms',
  });
  return worker.runUntil(run(taskQueue));
}

const status = (d: WorkflowExecutionDescription) => d.status.name;
const describeWorkflow = (workflowId: string) => env.client.workflow.getHandle(workflowId).describe();

describe('jobWorkflow and narrationWorkflow with stub activities', () => {
  it('fans a 3 variations × 3 languages job out to 9 narrations and groups their results by key', async () => {
    const jobId = crypto.randomUUID();
    const languages = ['pt-BR', 'en-US', 'es-ES'];
    const input: JobWorkflowInput = { jobId, source: 'pt-BR', languages, variations: 3 };
    const blocks = 2;
    // Speech chunk counts differ between narrations (1 to 5), so chunks made for the wrong one show.
    const chunks = (variation: number, language: string) => variation + languages.indexOf(language);
    const stubs = stubActivities({ blocks, chunks });
    const narrations = [1, 2, 3].flatMap((variation) =>
      languages.map((language) => ({ variation, language })),
    );

    const progress: JobProgress = await withWorker(stubs.activities, (taskQueue) =>
      env.client.workflow.execute<typeof jobWorkflow>('jobWorkflow', {
        taskQueue,
        workflowId: workflowIds.job(jobId),
        args: [input],
      }),
    );

    expect(progress.status).toBe('completed');
    expect(progress.steps.map((s) => s.id)).toEqual([
      'start',
      'premise',
      'plan',
      'master.block-1',
      'master.block-2',
      'master.review',
      'v2.block-1',
      'v2.block-2',
      'v2.review',
      'v3.block-1',
      'v3.block-2',
      'v3.review',
      ...narrations.map((n) => `v${n.variation}.${n.language}`),
      'finish',
    ]);
    for (const step of progress.steps) expect(step.state, step.id).toBe('completed');
    expect(progress.steps.find((s) => s.id === 'v2.es-ES')).toMatchObject({
      output: stubKeys.audio(jobId, 2, 'es-ES'),
      detail: '2:05',
    });
    const childIds = narrations.map((n) => workflowIds.narration(jobId, n.variation, n.language));
    expect(progress.children).toEqual(childIds);
    expect(childIds).toContain(`${jobId}/v3/es-ES`);

    // Each narration ran as a child workflow under its derived id, and did its own work.
    for (const id of childIds) {
      const child = await describeWorkflow(id);
      expect([child.type, status(child)], id).toEqual(['narrationWorkflow', 'COMPLETED']);
    }
    const where = (c: { workflowId: string; input: { variation: number; language: string } }) =>
      c.workflowId === workflowIds.narration(jobId, c.input.variation, c.input.language);
    for (const name of ['adaptBlock', 'prepareNarration', 'synthesizeChunk', 'checkNarration'] as const)
      expect(stubs.callsOf(name).every(where), name).toBe(true);
    // The source language's blocks are reviewed by the job, once per variation; the others' by their narration.
    const reviewed = stubs.callsOf('reviewBlocks').map((c) => ({
      at: c.workflowId === workflowIds.job(jobId) ? 'job' : c.workflowId,
      what: `v${c.input.variation}/${c.input.language}`,
    }));
    expect(
      reviewed
        .filter((r) => r.at === 'job')
        .map((r) => r.what)
        .sort(),
    ).toEqual(['v1/pt-BR', 'v2/pt-BR', 'v3/pt-BR']);
    expect(
      reviewed
        .filter((r) => r.at !== 'job')
        .map((r) => r.what)
        .sort(),
    ).toEqual(
      narrations
        .filter((n) => n.language !== input.source)
        .map((n) => `v${n.variation}/${n.language}`)
        .sort(),
    );
    expect(stubs.callsOf('checkNarration')).toHaveLength(9);

    const count = (name: keyof JobActivities) => stubs.callsOf(name).length;
    expect([count('markJobRunning'), count('generatePremise'), count('planScriptBlocks')]).toEqual([1, 1, 1]);
    expect(stubs.callsOf('writeBlock').map((c) => c.input.block)).toEqual([0, 1]);
    expect(
      stubs
        .callsOf('writeVariationBlock')
        .map((c) => `v${c.input.variation}/${c.input.block}`)
        .sort(),
    ).toEqual(['v2/0', 'v2/1', 'v3/0', 'v3/1']);
    // Adaptation: every block of the 6 narrations in another language, once each; never the source's.
    const adapted = stubs
      .callsOf('adaptBlock')
      .map((c) => `v${c.input.variation}/${c.input.language}/${c.input.block}`);
    expect(adapted).toHaveLength(6 * blocks);
    expect(adapted.sort()).toEqual(
      narrations
        .filter((n) => n.language !== input.source)
        .flatMap((n) => [0, 1].map((b) => `v${n.variation}/${n.language}/${b}`))
        .sort(),
    );
    // Script and plan in one step for new narrations; the two older steps are not used.
    expect([count('prepareNarration'), count('assembleScript'), count('planNarration')]).toEqual([9, 0, 0]);
    // Speech: every chunk prepareNarration reported, once, for each narration.
    const spoken = stubs
      .callsOf('synthesizeChunk')
      .map((c) => `v${c.input.variation}/${c.input.language}/${c.input.chunk}`);
    const expectedChunks = narrations.flatMap((n) =>
      Array.from({ length: chunks(n.variation, n.language) }, (_, i) => `v${n.variation}/${n.language}/${i}`),
    );
    expect(expectedChunks).toHaveLength(27);
    expect(spoken.sort()).toEqual(expectedChunks.sort());
    expect(count('assembleNarration')).toBe(9);

    // What the job delivers, grouped by variation and then language.
    const finish = stubs.callsOf('finishJob');
    expect(finish).toHaveLength(1);
    const per = <T>(variation: number, pick: (jobId: string, variation: number, language: string) => T) =>
      Object.fromEntries(languages.map((language) => [language, pick(jobId, variation, language)]));
    expect(finish[0]?.input).toEqual({
      jobId,
      status: 'completed',
      result: {
        premise: stubKeys.premise(jobId),
        scripts: per(1, stubKeys.script),
        audio: per(1, stubKeys.audio),
        variations: [1, 2, 3].map((variation) => ({
          variation,
          scripts: per(variation, stubKeys.script),
          audio: per(variation, stubKeys.audio),
          subtitles: per(variation, stubKeys.subtitles),
          quality: per(variation, (jobId, variation, language) => ({
            verdict: 'pass',
            key: stubKeys.quality(jobId, variation, language),
            notes: [],
          })),
        })),
      },
    });
  });

  it('lets the other narrations finish when one fails, then fails the job with the root error', async () => {
    const jobId = crypto.randomUUID();
    const input: JobWorkflowInput = { jobId, source: 'pt-BR', languages: ['pt-BR', 'en-US'], variations: 2 };
    const message = 'the speech provider refused chunk 2 of en-US';
    /** Narrations' MP3s and the job's finish, in the order they ended. */
    const ended: string[] = [];
    const finishing = deferred();
    // One narration is still making its MP3 when the job learns of the failure, and stays at it a while:
    // a job that did not wait for it would finish in the meantime.
    const stillRunning = async () => {
      const job = env.client.workflow.getHandle(jobId);
      for (;;) {
        const progress = await job.query<JobProgress>('progress');
        if (progress.steps.some((s) => s.id === 'v1.en-US' && s.state === 'failed')) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.race([finishing.promise, new Promise((r) => setTimeout(r, 300))]);
    };
    const stubs = stubActivities({
      blocks: 2,
      chunks: () => 3,
      overrides: {
        async synthesizeChunk({ jobId, variation, language, chunk }) {
          if (variation === 1 && language === 'en-US' && chunk === 1)
            throw ApplicationFailure.nonRetryable(message, 'SpeechRefused');
          return { key: `${stubKeys.dir(jobId, variation, language)}/speech-${chunk}.wav`, attempt: 1 };
        },
        async assembleNarration({ jobId, variation, language }) {
          if (variation === 2 && language === 'en-US') await stillRunning();
          ended.push(`v${variation}/${language}`);
          return {
            key: stubKeys.audio(jobId, variation, language),
            attempt: 1,
            durationSeconds: 60,
            subtitles: stubKeys.subtitles(jobId, variation, language),
          };
        },
        async finishJob() {
          ended.push('finish');
          finishing.resolve();
        },
      },
    });

    const { error, progress } = await withWorker(stubs.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
        taskQueue,
        workflowId: workflowIds.job(jobId),
        args: [input],
      });
      const error = await handle.result().then(
        () => undefined,
        (err: unknown) => err,
      );
      return { error, progress: await handle.query<JobProgress>('progress') };
    });

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(ChildWorkflowFailure);
    expect(progress.status).toBe('failed');
    expect(progress.steps.find((s) => s.id === 'v1.en-US')).toMatchObject({
      state: 'failed',
      error: message,
    });
    for (const id of ['v1.pt-BR', 'v2.pt-BR', 'v2.en-US'])
      expect(progress.steps.find((s) => s.id === id)?.state, id).toBe('completed');
    // The job's own last step never ran: skipped, not left waiting.
    expect(progress.steps.find((s) => s.id === 'finish')?.state).toBe('skipped');

    // The failure is final (not retried), and the narrations that could finish did.
    const failedChunk = stubs
      .callsOf('synthesizeChunk')
      .filter((c) => c.input.variation === 1 && c.input.language === 'en-US' && c.input.chunk === 1);
    expect(failedChunk).toHaveLength(1);
    const assembled = stubs
      .callsOf('assembleNarration')
      .map((c) => `v${c.input.variation}/${c.input.language}`);
    expect(assembled.sort()).toEqual(['v1/pt-BR', 'v2/en-US', 'v2/pt-BR']);
    expect(status(await describeWorkflow(workflowIds.narration(jobId, 1, 'en-US')))).toBe('FAILED');
    expect(status(await describeWorkflow(workflowIds.narration(jobId, 2, 'en-US')))).toBe('COMPLETED');

    // The job is closed as failed with the provider's message, only after every narration had ended.
    expect(stubs.callsOf('finishJob').map((c) => c.input)).toEqual([
      { jobId, status: 'failed', error: message },
    ]);
    expect(ended.at(-1)).toBe('finish');
    expect(ended.slice(0, -1).sort()).toEqual(['v1/pt-BR', 'v2/en-US', 'v2/pt-BR']);
  });

  it('records a cancelled job as cancelled, cancelling the narrations’ running activities', async () => {
    const jobId = crypto.randomUUID();
    const input: JobWorkflowInput = { jobId, source: 'pt-BR', languages: ['pt-BR', 'en-US'], variations: 1 };
    // Cancelled once both narrations are speaking, so both have an activity to cancel.
    const speaking = deferred();
    const started = new Set<string>();
    const cancelled: string[] = [];
    const stubs = stubActivities({
      blocks: 1,
      chunks: () => 1,
      overrides: {
        // Speech that never ends on its own: it heartbeats until its cancellation arrives.
        async synthesizeChunk({ variation, language }) {
          const context = Context.current();
          started.add(`v${variation}/${language}`);
          if (started.size === input.languages.length) speaking.resolve();
          try {
            for (;;) {
              context.heartbeat();
              await context.sleep(20);
            }
          } catch (err) {
            if (err instanceof CancelledFailure) cancelled.push(`v${variation}/${language}`);
            throw err;
          }
        },
      },
    });

    const { error, progress, narration } = await withWorker(stubs.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
        taskQueue,
        workflowId: workflowIds.job(jobId),
        args: [input],
      });
      await speaking.promise;
      await handle.cancel();
      const error = await handle.result().then(
        () => undefined,
        (err: unknown) => err,
      );
      // A closed workflow's query is answered by a worker replaying it: asked while this one runs.
      const narration = await env.client.workflow
        .getHandle(workflowIds.narration(jobId, 1, 'en-US'))
        .query<JobProgress>('progress');
      return { error, progress: await handle.query<JobProgress>('progress'), narration };
    });

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(status(await describeWorkflow(jobId))).toBe('CANCELLED');
    expect(progress.status).toBe('cancelled');
    // finishJob still ran (outside the cancelled scope), once, with the job's final status.
    expect(stubs.callsOf('finishJob').map((c) => c.input)).toMatchObject([{ jobId, status: 'cancelled' }]);
    // The cancellation went down to the children's activities, which saw it and stopped.
    expect(cancelled.sort()).toEqual(['v1/en-US', 'v1/pt-BR']);
    expect(stubs.callsOf('assembleNarration')).toHaveLength(0);
    for (const language of input.languages)
      expect(status(await describeWorkflow(workflowIds.narration(jobId, 1, language))), language).toBe(
        'CANCELLED',
      );
    // The steps tell the same story: stopped where they ran, the rest skipped, none failed, times frozen.
    const stateOf = (steps: JobProgress['steps']) => Object.fromEntries(steps.map((s) => [s.id, s.state]));
    expect(stateOf(progress.steps)).toMatchObject({
      'v1.pt-BR': 'cancelled',
      'v1.en-US': 'cancelled',
      finish: 'skipped',
    });
    for (const step of progress.steps.filter((s) => s.state === 'cancelled'))
      expect(step.finishedAt, step.id).toBeDefined();
    expect(stateOf(narration.steps)).toMatchObject({
      'v1.en-US.tts-1': 'cancelled',
      'v1.en-US.quality': 'skipped',
      'v1.en-US.audio': 'skipped',
    });
    expect(narration.steps.some((s) => s.state === 'failed' || s.state === 'running')).toBe(false);
  });

  it('reports progress that never goes backwards, read at the start of every step', async () => {
    const jobId = crypto.randomUUID();
    const languages = ['pt-BR', 'en-US'];
    const input: JobWorkflowInput = { jobId, source: 'pt-BR', languages, variations: 2 };
    const shape = { variations: 2, languages };
    // More chunks than a narration speaks at once, so its speech steps cannot all start together.
    const stubs = stubActivities({ blocks: 3, chunks: () => 12 });
    /** The job's steps and its narrations' steps, merged as the API serves them. */
    const read = async () => {
      const job = await env.client.workflow.getHandle(jobId).query<JobProgress>('progress');
      const children = await Promise.all(
        (job.children ?? []).map((id) =>
          env.client.workflow
            .getHandle(id)
            .query<JobProgress>('progress')
            .catch(() => undefined),
        ),
      );
      return jobPercent([...job.steps, ...children.flatMap((c) => c?.steps ?? [])], shape, job.status);
    };
    const seen: number[] = [];
    // One read at a time, so the readings are in the order the states were read (steps run in parallel).
    let reading = Promise.resolve();
    const sample = () => {
      reading = reading.then(async () => {
        seen.push(await read());
      });
      return reading;
    };
    const sampling = Object.fromEntries(
      Object.entries(stubs.activities).map(([name, run]) => [
        name,
        async (input: never) => {
          await sample();
          return (run as (input: never) => Promise<unknown>)(input);
        },
      ]),
    ) as JobActivities;

    await withWorker(sampling, async (taskQueue) => {
      await env.client.workflow.execute<typeof jobWorkflow>('jobWorkflow', {
        taskQueue,
        workflowId: workflowIds.job(jobId),
        args: [input],
      });
      await sample();
    });

    expect(seen.length).toBeGreaterThan(60);
    const drops = seen.flatMap((p, i) => (i > 0 && p < (seen[i - 1] ?? 0) ? [`${seen[i - 1]} → ${p}`] : []));
    expect(drops).toEqual([]);
    expect(seen.at(-1)).toBe(100);
    // It moves in small steps, not from a few percent to done.
    expect(new Set(seen).size).toBeGreaterThan(20);
  });

  it('goes round again when an edit arrives while a narration round is running', async () => {
    const jobId = crypto.randomUUID();
    const input: NarrationWorkflowInput = {
      jobId,
      variation: 1,
      language: 'en-US',
      source: 'pt-BR',
      blocks: 2,
    };
    const workflowId = workflowIds.narration(jobId, 1, 'en-US');
    const assembling = deferred();
    const release = deferred();
    let rounds = 0;
    const stubs = stubActivities({
      blocks: 2,
      chunks: () => 3,
      overrides: {
        // The first round's MP3 waits until the test has sent the edit.
        async assembleNarration({ jobId, variation, language }) {
          const round = ++rounds;
          if (round === 1) {
            assembling.resolve();
            await release.promise;
          }
          return {
            key: stubKeys.audio(jobId, variation, language),
            attempt: 1,
            durationSeconds: round,
            subtitles: stubKeys.subtitles(jobId, variation, language),
          };
        },
      },
    });

    const { result, signaledRunId, firstRunId } = await withWorker(stubs.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof narrationWorkflow>('narrationWorkflow', {
        taskQueue,
        workflowId,
        args: [input],
      });
      await assembling.promise;
      // As the API sends an edit: signal-with-start, by name.
      const signaled = await env.client.workflow.signalWithStart('narrationWorkflow', {
        taskQueue,
        workflowId,
        args: [input],
        signal: 'editBlock',
        signalArgs: [{ block: 1 }],
      });
      release.resolve();
      const result: NarrationResult = await handle.result();
      return { result, signaledRunId: signaled.signaledRunId, firstRunId: handle.firstExecutionRunId };
    });

    // The edit reached the running narration (not a new run), which made its script and MP3 again.
    expect(signaledRunId).toBe(firstRunId);
    expect(stubs.callsOf('prepareNarration')).toHaveLength(2);
    expect(stubs.callsOf('synthesizeChunk')).toHaveLength(2 * 3);
    expect(stubs.callsOf('assembleNarration')).toHaveLength(2);
    // Adaptation is not redone: the edited block is already in storage.
    expect(stubs.callsOf('adaptBlock')).toHaveLength(2);
    expect(result).toEqual({
      audio: stubKeys.audio(jobId, 1, 'en-US'),
      script: stubKeys.script(jobId, 1, 'en-US'),
      subtitles: stubKeys.subtitles(jobId, 1, 'en-US'),
      durationSeconds: 2,
      quality: { verdict: 'pass', key: stubKeys.quality(jobId, 1, 'en-US'), notes: [] },
    });
    // Each round is checked again (the edit is in its report); the script review ran once.
    expect(stubs.callsOf('checkNarration')).toHaveLength(2);
    expect(stubs.callsOf('reviewBlocks')).toHaveLength(1);
    expect(status(await describeWorkflow(workflowId))).toBe('COMPLETED');
  });
});
