import { planBlocks, storageKeys, workflowIds } from '@bolt/core';
import { contentTypes, type JobRow } from '@bolt/data';
import type { editBlockSignal, narrationWorkflow, rerollBlockSignal } from '@bolt/workflows';
import type { SignalDefinition } from '@temporalio/client';
import { conflict, notFound } from './errors.ts';
import type { WithStorage } from './services.ts';

type SignalArgs<S> = S extends SignalDefinition<infer A> ? A : never;

/** One block of one narration: a variation in a language, 0-based block. */
export interface BlockRef {
  variation: number;
  language: string;
  block: number;
}

export interface BlockEdit extends BlockRef {
  text: string;
}

/** The job's number of blocks, once the block is known to exist in a finished job. */
function checkBlock(job: JobRow, ref: BlockRef): number {
  if (job.status !== 'completed')
    throw conflict('job_not_completed', `Blocks can be changed once the job completed; it is ${job.status}`);
  const blocks = planBlocks(job.agent_snapshot.block_structure_prompt).length;
  const invalid = [
    !(Number.isInteger(ref.variation) && ref.variation >= 1 && ref.variation <= job.variations) &&
      'variation',
    !job.languages.includes(ref.language) && 'language',
    !(Number.isInteger(ref.block) && ref.block >= 0 && ref.block < blocks) && 'block',
  ].filter((f): f is string => Boolean(f));
  if (invalid.length > 0) throw notFound(invalid.join(', '));
  return blocks;
}

/**
 * Has the narration take the change in (signal-with-start: it goes round again if it is running, or
 * starts anew, as an edit round, if it had finished). By name: the API never loads workflow code.
 */
async function signalNarration(
  services: WithStorage,
  job: JobRow,
  ref: BlockRef,
  blocks: number,
  signal: 'editBlock' | 'rerollBlock',
): Promise<string> {
  const workflowId = workflowIds.narration(job.id, ref.variation, ref.language);
  await services.client.workflow.signalWithStart<
    typeof narrationWorkflow,
    SignalArgs<typeof editBlockSignal | typeof rerollBlockSignal>
  >('narrationWorkflow', {
    taskQueue: services.config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [
      {
        jobId: job.id,
        variation: ref.variation,
        language: ref.language,
        source: job.agent_snapshot.language,
        blocks,
        edited: true,
      },
    ],
    signal,
    signalArgs: [{ block: ref.block }],
  });
  return workflowId;
}

/**
 * Replaces one block of one narration's script and has that narration made again; unchanged chunks
 * come from the cache. The first edit keeps the generated text beside it, and every edit keeps the
 * take it replaces, for `restoreBlock`.
 */
export async function editBlock(services: WithStorage, job: JobRow, edit: BlockEdit): Promise<string> {
  const blocks = checkBlock(job, edit);
  const { storage } = services;
  const key = storageKeys.block(job.id, edit.variation, edit.language, edit.block);
  const current = await storage.get(key);
  const original = key.replace(/\.md$/, '.original.md');
  if ((await storage.size(original)) === undefined)
    await storage.put(original, current, contentTypes.markdown);
  const previous = storageKeys.previousBlock(job.id, edit.variation, edit.language, edit.block);
  await storage.put(previous, current, contentTypes.markdown);
  await storage.put(key, `${edit.text}\n`, contentTypes.markdown);
  return signalNarration(services, job, edit, blocks, 'editBlock');
}

/** New text from the model for one block (a paid call, made by the narration), then its speech again. */
export async function rerollBlock(services: WithStorage, job: JobRow, ref: BlockRef): Promise<string> {
  return signalNarration(services, job, ref, checkBlock(job, ref), 'rerollBlock');
}

/** Brings back the take a block had before its last edit or re-roll (which becomes the previous one). */
export async function restoreBlock(services: WithStorage, job: JobRow, ref: BlockRef): Promise<string> {
  checkBlock(job, ref);
  const previous = await services.storage.find(
    storageKeys.previousBlock(job.id, ref.variation, ref.language, ref.block),
  );
  if (previous === undefined)
    throw conflict('no_previous_take', `Block ${ref.block + 1} of ${ref.language} has no earlier take`);
  return editBlock(services, job, { ...ref, text: previous.toString().trim() });
}
