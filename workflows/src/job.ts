import type { JobActivities } from '@bolt/activities';
import type { BlockPlan, JobProgress, JobStatus, JobWorkflowInput, Step } from '@bolt/core';
import {
  type ActivityOptions,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';

export const progressQuery = defineQuery<JobProgress>('progress');

/**
 * Local model and espeak calls take minutes at most; retried with backoff, a handful of times. Long
 * activities heartbeat every few seconds, so one lost with its worker is retried after a minute, not
 * after the whole timeout (the margin covers a CPU so busy that heartbeats are late).
 */
const activityOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
  },
};

/** Activity proxies whose activity id is the step id, so the Web UI and the progress query name steps alike. */
const act = (stepId: string) => proxyActivities<JobActivities>({ ...activityOptions, activityId: stepId });

/** Step ids and labels, one place for both (ids double as activity ids). */
type StepName = [id: string, label: string];
const names = {
  masterBlock: (b: BlockPlan): StepName => [
    `master.block-${b.index + 1}`,
    `Master: block ${b.index + 1} (${b.title})`,
  ],
  adaptBlock: (lang: string, b: BlockPlan): StepName => [
    `${lang}.block-${b.index + 1}`,
    `${lang}: adapt block ${b.index + 1}`,
  ],
  script: (lang: string): StepName => [`${lang}.script`, `${lang}: script`],
  narrationPlan: (lang: string): StepName => [`${lang}.narration-plan`, `${lang}: narration plan`],
  speech: (lang: string, i: number, n: number): StepName => [
    `${lang}.tts-${i + 1}`,
    `${lang}: speech ${i + 1}/${n}`,
  ],
  audio: (lang: string): StepName => [`${lang}.audio`, `${lang}: MP3`],
};

/**
 * One job: premise → block plan → master script block by block → per language: adaptation (block by
 * block, skipped for the source language) → narration chunks → one MP3. Only storage keys and small
 * numbers pass through here.
 */
export async function jobWorkflow({ jobId, source, languages }: JobWorkflowInput): Promise<JobProgress> {
  let status: JobStatus = 'running';
  const steps: Step[] = [];
  setHandler(progressQuery, () => ({ jobId, status, steps }));

  const declare = ([id, label]: StepName) => {
    if (!steps.some((s) => s.id === id)) steps.push({ id, label, state: 'pending' });
  };
  async function step<T>(name: StepName, run: (a: JobActivities) => Promise<T>): Promise<T> {
    declare(name);
    const s = steps.find((x) => x.id === name[0]) as Step;
    Object.assign(s, { state: 'running', startedAt: new Date().toISOString(), error: undefined });
    try {
      const out = await run(act(name[0]));
      const ref = out as { attempt?: number; key?: string } | undefined;
      Object.assign(s, {
        state: 'completed',
        finishedAt: new Date().toISOString(),
        attempt: ref?.attempt,
        output: ref?.key,
      });
      return out;
    } catch (err) {
      Object.assign(s, {
        state: 'failed',
        finishedAt: new Date().toISOString(),
        error: (err as Error).message,
      });
      throw err;
    }
  }

  try {
    await step(['start', 'Start'], (a) => a.markJobRunning({ jobId }));
    const premise = await step(['premise', 'Premise'], (a) => a.generatePremise({ jobId }));
    const plan = await step(['plan', 'Block plan'], (a) => a.planScriptBlocks({ jobId }));
    for (const b of plan) declare(names.masterBlock(b));
    for (const lang of languages) {
      if (lang !== source) for (const b of plan) declare(names.adaptBlock(lang, b));
      for (const name of [names.script(lang), names.narrationPlan(lang), names.audio(lang)]) declare(name);
    }
    declare(['finish', 'Finish']);

    for (const b of plan)
      await step(names.masterBlock(b), (a) => a.writeBlock({ jobId, block: b.index, plan }));
    const scripts: Record<string, string> = {};
    const master = await step(names.script(source), (a) =>
      a.assembleScript({ jobId, language: source, plan }),
    );
    scripts[source] = master.key;

    const narrate = async (language: string) => {
      if (language !== source) {
        await Promise.all(
          plan.map((b) =>
            step(names.adaptBlock(language, b), (a) => a.adaptBlock({ jobId, language, block: b.index })),
          ),
        );
        scripts[language] = (
          await step(names.script(language), (a) => a.assembleScript({ jobId, language, plan }))
        ).key;
      }
      const { chunks, chars } = await step(names.narrationPlan(language), (a) =>
        a.planNarration({ jobId, language, plan }),
      );
      await Promise.all(
        Array.from({ length: chunks }, (_, i) =>
          step(names.speech(language, i, chunks), (a) => a.synthesizeChunk({ jobId, language, chunk: i })),
        ),
      );
      const audio = await step(names.audio(language), (a) => a.assembleAudio({ jobId, language, chunks }));
      return { language, chars, ...audio };
    };
    const narrations = await Promise.all(languages.map(narrate));

    await step(['finish', 'Finish'], (a) =>
      a.finishJob({
        jobId,
        status: 'completed',
        result: {
          premise: premise.key,
          scripts,
          audio: Object.fromEntries(narrations.map((n) => [n.language, n.key])),
        },
        chars: narrations.reduce((n, x) => n + x.chars, 0),
        durationSeconds: narrations.reduce((n, x) => n + x.durationSeconds, 0),
      }),
    );
    status = 'completed';
    return { jobId, status, steps };
  } catch (err) {
    status = isCancellation(err) ? 'cancelled' : 'failed';
    const final = status;
    await CancellationScope.nonCancellable(() =>
      act('finish-unsuccessful').finishJob({ jobId, status: final, error: rootMessage(err) }),
    );
    throw err;
  }
}

/** The message a user can act on: the innermost cause's (an activity failure wraps the real error). */
function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown };
  while (e.cause) e = e.cause as typeof e;
  return e.message ?? String(err);
}
