import type { BlockPlan, JobProgress, JobWorkflowInput, NarrationWorkflowInput } from '@bolt/core';
import { workflowIds } from '@bolt/core/ids';
import { CancellationScope, executeChild, isCancellation } from '@temporalio/workflow';
import { type NarrationResult, narrationWorkflow } from './narration.ts';
import { activitiesFor, rootMessage, type StepName, stepTracker } from './steps.ts';

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
  const narrations = Array.from({ length: variations }, (_, v) =>
    languages.map((language) => ({ variation: v + 1, language })),
  ).flat();
  const t = stepTracker(
    jobId,
    narrations.map((n) => workflowIds.narration(jobId, n.variation, n.language)),
  );
  const names = {
    masterBlock: (b: BlockPlan): StepName => [
      `master.block-${b.index + 1}`,
      `Master: block ${b.index + 1} (${b.title})`,
    ],
    variationBlock: (v: number, b: BlockPlan): StepName => [
      `v${v}.block-${b.index + 1}`,
      `Variation ${v}: block ${b.index + 1}`,
    ],
    sourceScript: (v: number): StepName => [`v${v}.${source}.script`, `Variation ${v}: script (${source})`],
    narration: (v: number, language: string): StepName => [
      `v${v}.${language}`,
      `Variation ${v} · ${language}: narration`,
    ],
  };

  try {
    await t.step(['start', 'Start'], (a) => a.markJobRunning({ jobId }));
    const premise = await t.step(['premise', 'Premise'], (a) => a.generatePremise({ jobId }));
    const plan = await t.step(['plan', 'Block plan'], (a) => a.planScriptBlocks({ jobId }));
    for (const b of plan) t.declare(names.masterBlock(b));
    for (let v = 2; v <= variations; v++) for (const b of plan) t.declare(names.variationBlock(v, b));
    for (let v = 1; v <= variations; v++) if (!languages.includes(source)) t.declare(names.sourceScript(v));
    for (const n of narrations) t.declare(names.narration(n.variation, n.language));
    t.declare(['finish', 'Finish']);

    for (const b of plan)
      await t.step(names.masterBlock(b), (a) => a.writeBlock({ jobId, block: b.index, plan }));

    const narrate = async (variation: number, language: string): Promise<NarrationResult> => {
      const input: NarrationWorkflowInput = { jobId, variation, language, source, blocks: plan.length };
      return t.step(names.narration(variation, language), async () => {
        const result = await executeChild(narrationWorkflow, {
          workflowId: workflowIds.narration(jobId, variation, language),
          args: [input],
        });
        return { ...result, key: result.audio, detail: `${Math.round(result.durationSeconds)} s` };
      });
    };
    const variationsDone = Array.from({ length: variations }, async (_, i) => {
      const v = i + 1;
      if (v > 1) {
        await Promise.all(
          plan.map((b) =>
            t.step(names.variationBlock(v, b), (a) =>
              a.writeVariationBlock({ jobId, variation: v, block: b.index }),
            ),
          ),
        );
      }
      // A script in the agent's language is delivered even when that language is not narrated.
      if (!languages.includes(source)) {
        await t.step(names.sourceScript(v), (a) =>
          a.assembleScript({ jobId, variation: v, language: source }),
        );
      }
      // Every narration runs to its end even when another fails, so a retry has the least left to do.
      return Promise.allSettled(languages.map((language) => narrate(v, language)));
    });
    const settled = (await Promise.all(variationsDone)).flat();
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((s) => (s as PromiseFulfilledResult<NarrationResult>).value);

    const byVariation = Array.from({ length: variations }, (_, i) => {
      const mine = results.filter((_, n) => narrations[n]?.variation === i + 1);
      const per = <T>(pick: (r: NarrationResult) => T) =>
        Object.fromEntries(mine.map((r, n) => [languages[n] as string, pick(r)]));
      return {
        variation: i + 1,
        scripts: per((r) => r.script),
        audio: per((r) => r.audio),
        subtitles: per((r) => r.subtitles),
      };
    });
    const first = byVariation[0] as (typeof byVariation)[number];
    await t.step(['finish', 'Finish'], (a) =>
      a.finishJob({
        jobId,
        status: 'completed',
        result: { premise: premise.key, scripts: first.scripts, audio: first.audio, variations: byVariation },
      }),
    );
    t.state.status = 'completed';
    return t.progress();
  } catch (err) {
    t.state.status = isCancellation(err) ? 'cancelled' : 'failed';
    const status = t.state.status;
    await CancellationScope.nonCancellable(() =>
      activitiesFor('finish-unsuccessful').finishJob({ jobId, status, error: rootMessage(err) }),
    );
    throw err;
  }
}
