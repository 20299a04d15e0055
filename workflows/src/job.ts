import type { BlockPlan, JobProgress, JobWorkflowInput } from '@bolt/core';
import { formatClock } from '@bolt/core/clock';
import { workflowIds } from '@bolt/core/ids';
import { CancellationScope, executeChild, isCancellation, patched } from '@temporalio/workflow';
import { type NarrationResult, narrationWorkflow } from './narration.ts';
import { activitiesFor, rootMessage, type StepName, type StepTracker, stepTracker } from './steps.ts';

/** One narration of a job: a variation in a language. */
interface Narration {
  variation: number;
  language: string;
}

/** The job's step names: ids (= activity ids) and the labels the timeline shows. */
function jobSteps(source: string) {
  return {
    start: ['start', 'Start'] as StepName,
    premise: ['premise', 'Premise'] as StepName,
    plan: ['plan', 'Block plan'] as StepName,
    masterBlock: (b: BlockPlan): StepName => [
      `master.block-${b.index + 1}`,
      `Master: block ${b.index + 1} (${b.title})`,
    ],
    variationBlock: (v: number, b: BlockPlan): StepName => [
      `v${v}.block-${b.index + 1}`,
      `Variation ${v}: block ${b.index + 1}`,
    ],
    review: (v: number): StepName =>
      v === 1
        ? ['master.review', 'Master: script review']
        : [`v${v}.review`, `Variation ${v}: script review`],
    sourceScript: (v: number): StepName => [`v${v}.${source}.script`, `Variation ${v}: script (${source})`],
    narration: ({ variation, language }: Narration): StepName => [
      `v${variation}.${language}`,
      `Variation ${variation} · ${language}: narration`,
    ],
    finish: ['finish', 'Finish'] as StepName,
  };
}

/** 1…n */
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * One job: premise → block plan → master script block by block → variations (rewrites of the master,
 * block by block in parallel) → one child workflow per (variation × language) for adaptation, speech and
 * audio, so each can be retried, cancelled or re-narrated alone. Only storage keys and small numbers
 * pass through here, so histories stay small whatever the job's size.
 */
export async function jobWorkflow({
  jobId,
  source,
  languages,
  variations,
}: JobWorkflowInput): Promise<JobProgress> {
  const narrations: Narration[] = upTo(variations).flatMap((variation) =>
    languages.map((language) => ({ variation, language })),
  );
  const t = stepTracker(
    jobId,
    narrations.map((n) => workflowIds.narration(jobId, n.variation, n.language)),
  );
  const names = jobSteps(source);
  const needsSourceScript = !languages.includes(source);
  // Jobs started before the `quality-checks` patch have no script review (see narration.ts).
  const checks = patched('quality-checks');

  /** Every step the job will run, pending, as soon as the block plan says how many there are. */
  function declareRest(plan: BlockPlan[]) {
    for (const b of plan) t.declare(names.masterBlock(b));
    if (checks) t.declare(names.review(1));
    for (const v of upTo(variations).slice(1)) {
      for (const b of plan) t.declare(names.variationBlock(v, b));
      if (checks) t.declare(names.review(v));
    }
    if (needsSourceScript) for (const v of upTo(variations)) t.declare(names.sourceScript(v));
    for (const n of narrations) t.declare(names.narration(n));
    t.declare(names.finish);
  }

  const narrate = async (narration: Narration, blocks: number): Promise<Narrated> => {
    const result = await t.step(names.narration(narration), async () => {
      const result = await executeChild(narrationWorkflow, {
        workflowId: workflowIds.narration(jobId, narration.variation, narration.language),
        args: [{ jobId, ...narration, source, blocks }],
      });
      return { ...result, key: result.audio, detail: formatClock(result.durationSeconds) };
    });
    return { narration, result };
  };

  /** The source-language blocks of a variation checked, and those that fail written again once. */
  const review = (v: number) =>
    t.step(names.review(v), (a) => a.reviewBlocks({ jobId, variation: v, language: source }));

  /** A variation's script in the source language, then its narrations (each runs to its end). */
  async function variation(v: number, plan: BlockPlan[]) {
    if (v > 1) {
      await Promise.all(
        plan.map((b) =>
          t.step(names.variationBlock(v, b), (a) =>
            a.writeVariationBlock({ jobId, variation: v, block: b.index }),
          ),
        ),
      );
      if (checks) await review(v);
    }
    // A script in the agent's language is delivered even when that language is not narrated.
    if (needsSourceScript)
      await t.step(names.sourceScript(v), (a) => a.assembleScript({ jobId, variation: v, language: source }));
    // Every narration runs to its end even when another fails, so a retry has the least left to do.
    return Promise.allSettled(languages.map((language) => narrate({ variation: v, language }, plan.length)));
  }

  try {
    await t.step(names.start, (a) => a.markJobRunning({ jobId }));
    const premise = await t.step(names.premise, (a) => a.generatePremise({ jobId }));
    const plan = await t.step(names.plan, (a) => a.planScriptBlocks({ jobId }));
    declareRest(plan);

    for (const b of plan) await t.step(names.masterBlock(b), (a) => a.writeBlock({ jobId, block: b.index }));
    if (checks) await review(1);

    const settled = (await Promise.all(upTo(variations).map((v) => variation(v, plan)))).flat();
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const narrated = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const [first, ...others] = upTo(variations).map((v) => deliveredBy(v, narrated));
    if (!first) throw new Error('a job has at least one variation');
    await t.step(names.finish, (a) =>
      a.finishJob({
        jobId,
        status: 'completed',
        result: {
          premise: premise.key,
          scripts: first.scripts,
          audio: first.audio,
          variations: [first, ...others],
        },
      }),
    );
    t.state.status = 'completed';
    return t.progress();
  } catch (err) {
    return finishUnsuccessfully(t, jobId, err);
  }
}

/** A narration and what it delivered. */
interface Narrated {
  narration: Narration;
  result: NarrationResult;
}

/** What one variation delivered, per language. */
function deliveredBy(variation: number, narrated: Narrated[]) {
  const mine = narrated.filter((n) => n.narration.variation === variation);
  const per = <T>(pick: (r: NarrationResult) => T) =>
    Object.fromEntries(mine.map(({ narration, result }) => [narration.language, pick(result)]));
  return {
    variation,
    scripts: per((r) => r.script),
    audio: per((r) => r.audio),
    subtitles: per((r) => r.subtitles),
    quality: Object.fromEntries(
      mine.flatMap(({ narration, result }) => (result.quality ? [[narration.language, result.quality]] : [])),
    ),
  };
}

/** Records a failed or cancelled job (even while being cancelled), then fails the workflow with it. */
async function finishUnsuccessfully(t: StepTracker, jobId: string, err: unknown): Promise<never> {
  const status = isCancellation(err) ? 'cancelled' : 'failed';
  t.end(status);
  await CancellationScope.nonCancellable(() =>
    activitiesFor('finish-unsuccessful').finishJob({ jobId, status, error: rootMessage(err) }),
  );
  throw err;
}
