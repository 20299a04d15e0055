import { planBlocks, storageKeys, workflowIds } from '@bolt/core';
import { contentTypes, type JobRow } from '@bolt/data';
import type { editBlockSignal, narrationWorkflow } from '@bolt/workflows';
import type { SignalDefinition } from '@temporalio/client';
import { conflict, notFound } from './errors.ts';
import type { WithStorage } from './services.ts';

type SignalArgs<S> = S extends SignalDefinition<infer A> ? A : never;

export interface BlockEdit {
  variation: number;
  language: string;
  /** 0-based. */
  block: number;
  text: string;
}

/**
 * Replaces one block of one narration's script and has that narration made again (signal-with-start:
 * the narration workflow goes round again if it is running, or starts anew if it had finished). The
 * first edit keeps the generated text beside it; unchanged chunks come from the cache.
 */
export async function editBlock(services: WithStorage, job: JobRow, edit: BlockEdit): Promise<string> {
  if (job.status !== 'completed')
    throw conflict('job_not_completed', `Blocks can be edited once the job completed; it is ${job.status}`);
  const blocks = planBlocks(job.agent_snapshot.block_structure_prompt).length;
  const invalid = [
    !(Number.isInteger(edit.variation) && edit.variation >= 1 && edit.variation <= job.variations) &&
      'variation',
    !job.languages.includes(edit.language) && 'language',
    !(Number.isInteger(edit.block) && edit.block >= 0 && edit.block < blocks) && 'block',
  ].filter((f): f is string => Boolean(f));
  if (invalid.length > 0) throw notFound(invalid.join(', '));

  const { storage, client, config } = services;
  const key = storageKeys.block(job.id, edit.variation, edit.language, edit.block);
  const original = key.replace(/\.md$/, '.original.md');
  if ((await storage.size(original)) === undefined)
    await storage.put(original, await storage.get(key), contentTypes.markdown);
  await storage.put(key, `${edit.text}\n`, contentTypes.markdown);
  const workflowId = workflowIds.narration(job.id, edit.variation, edit.language);
  // By name: the API never loads workflow code.
  await client.workflow.signalWithStart<typeof narrationWorkflow, SignalArgs<typeof editBlockSignal>>(
    'narrationWorkflow',
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [
        {
          jobId: job.id,
          variation: edit.variation,
          language: edit.language,
          source: job.agent_snapshot.language,
          blocks,
          edited: true,
        },
      ],
      signal: 'editBlock',
      signalArgs: [{ block: edit.block }],
    },
  );
  return workflowId;
}
