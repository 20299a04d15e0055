import type { NarrationQuality, NarrationWorkflowInput } from '@bolt/core';
import { defineSignal, isCancellation, patched, setHandler } from '@temporalio/workflow';
import { eachLimited, type StepName, stepTracker } from './steps.ts';

/**
 * Tells a narration that the user replaced one block of its script (the API has already stored the new
 * text). Sent with signal-with-start, so it also re-opens a narration that had finished.
 */
export const editBlockSignal = defineSignal<[{ block: number }]>('editBlock');

/**
 * Asks a narration for new text from the model for one block, then its speech again (signal-with-start,
 * like an edit). The take it replaces is kept, to be restored as an edit.
 */
export const rerollBlockSignal = defineSignal<[{ block: number }]>('rerollBlock');

/**
 * Chunks synthesized at once per narration; providers' request rates and requests in flight are limited
 * by the key ring. Narrations started before the `speech-8-at-once` patch keep their 4.
 */
export const SPEECH_CONCURRENCY = 8;
const speechConcurrency = () => (patched('speech-8-at-once') ? SPEECH_CONCURRENCY : 4);

/**
 * Narrations started before the `script-and-plan-one-step` patch write the script and the plan apart.
 * When each patch's old branch goes: docs/workflow-changes.md.
 */
const oneStepPreparation = () => patched('script-and-plan-one-step');

/**
 * Narrations started before the `quality-checks` patch have no script review (adaptations checked and
 * rewritten once when they fail) and no quality step.
 */
const withQualityChecks = () => patched('quality-checks');

/** References only: the narration's steps are its `progress` query's, not part of what the job records. */
export interface NarrationResult {
  audio: string;
  script: string;
  subtitles: { srt: string; vtt: string };
  durationSeconds: number;
  quality?: NarrationQuality;
}

/**
 * One variation in one language: adaptation block by block (not for the source language) → script and
 * narration plan (pronunciation, byte-aware chunks) → speech chunks in parallel → MP3 + subtitles.
 * Edits that arrive while it runs make it go round again; unchanged chunks come from the cache.
 */
export async function narrationWorkflow(input: NarrationWorkflowInput): Promise<NarrationResult> {
  const { jobId, variation, language, source, blocks } = input;
  const t = stepTracker(jobId);
  const narration = `v${variation}.${language}`;
  const title = `Variation ${variation} · ${language}`;
  /**
   * A round's steps: the narration's own under its id; an edit's under `edit-<time>` beneath it, so the
   * first round's steps (times, costs) stay in the timeline beside the edit's.
   */
  const roundPrefix = (round: number) =>
    (round > 0 || input.edited) && patched('edit-rounds')
      ? `${narration}.edit-${Math.floor(Date.now() / 1000).toString(36)}-${round}`
      : narration;
  const namesFor = (prefix: string) => ({
    adapt: (b: number): StepName => [`${prefix}.block-${b + 1}`, `${title}: adapt block ${b + 1}`],
    review: [`${prefix}.review`, `${title}: script review`] as StepName,
    script: [`${prefix}.script`, `${title}: script`] as StepName,
    plan: [`${prefix}.narration-plan`, `${title}: narration plan`] as StepName,
    prepare: [`${prefix}.script`, `${title}: script and narration plan`] as StepName,
    speech: (i: number, n: number): StepName => [`${prefix}.tts-${i + 1}`, `${title}: speech ${i + 1}/${n}`],
    reroll: (b: number): StepName => [`${prefix}.reroll-${b + 1}`, `${title}: new text for block ${b + 1}`],
    quality: [`${prefix}.quality`, `${title}: quality checks`] as StepName,
    audio: [`${prefix}.audio`, `${title}: MP3 and subtitles`] as StepName,
  });
  let prefix = roundPrefix(0);
  let names = namesFor(prefix);

  let edits = 0;
  setHandler(editBlockSignal, () => {
    edits++;
  });
  // Blocks to write anew before the next round's speech.
  const rerolls: number[] = [];
  setHandler(rerollBlockSignal, ({ block }) => {
    rerolls.push(block);
    edits++;
  });

  const indexes = Array.from({ length: blocks }, (_, i) => i);
  const adapted = language !== source;
  const oneStep = oneStepPreparation();
  const checks = withQualityChecks();
  /** The steps each round runs before its speech, then after it. */
  const roundSteps = () => [
    ...(oneStep ? [names.prepare] : [names.script, names.plan]),
    ...(checks ? [names.quality] : []),
    names.audio,
  ];
  if (adapted) for (const b of indexes) t.declare(names.adapt(b));
  if (adapted && checks) t.declare(names.review);
  for (const name of roundSteps()) t.declare(name);

  try {
    const ref = { jobId, variation, language };
    if (adapted) {
      await Promise.all(
        indexes.map((block) =>
          t.step(names.adapt(block), (a) => a.adaptBlock({ jobId, variation, language, block })),
        ),
      );
      if (checks) await t.step(names.review, (a) => a.reviewBlocks(ref));
    }
    for (let round = 0; ; round++) {
      const seen = edits;
      // An edit round has steps of its own; a run from before edit rounds reuses the first round's.
      const roundOwn = round > 0 ? roundPrefix(round) : prefix;
      if (roundOwn !== prefix) {
        prefix = roundOwn;
        names = namesFor(prefix);
        for (const name of roundSteps()) t.declare(name);
      }
      // Runs on code from before re-rolls ignored them; a replay of those runs must too.
      const blocksToRoll = rerolls.splice(0);
      if (blocksToRoll.length > 0 && patched('block-reroll'))
        for (const block of blocksToRoll)
          await t.step(names.reroll(block), (a) => a.rerollBlock({ ...ref, block }));
      const { key: script, chunks } = oneStep
        ? await t.step(names.prepare, (a) => a.prepareNarration(ref))
        : {
            key: (await t.step(names.script, (a) => a.assembleScript(ref))).key,
            chunks: (await t.step(names.plan, (a) => a.planNarration(ref))).chunks,
          };
      // Every chunk is declared before any is spoken, so the timeline knows the whole round at once.
      t.forget(`${prefix}.tts-`);
      const after = checks ? names.quality[0] : names.audio[0];
      for (let chunk = 0; chunk < chunks; chunk++) t.declare(names.speech(chunk, chunks), after);
      await eachLimited(
        Array.from({ length: chunks }, (_, i) => i),
        speechConcurrency(),
        (chunk) => t.step(names.speech(chunk, chunks), (a) => a.synthesizeChunk({ ...ref, chunk })),
      );
      const quality = checks ? await t.step(names.quality, (a) => a.checkNarration(ref)) : undefined;
      const audio = await t.step(names.audio, (a) => a.assembleNarration(ref));
      // An edit that came in while this round ran is not in its MP3 yet: go round once more.
      if (edits !== seen) continue;
      t.state.status = 'completed';
      return {
        audio: audio.key,
        script,
        subtitles: audio.subtitles,
        durationSeconds: audio.durationSeconds,
        ...(quality ? { quality: { verdict: quality.verdict, key: quality.key, notes: quality.notes } } : {}),
      };
    }
  } catch (err) {
    t.end(isCancellation(err) ? 'cancelled' : 'failed');
    throw err;
  }
}
