import { createHash } from 'node:crypto';
import {
  type ArtifactKind,
  applyPronunciation,
  type BlockPlan,
  chunkText,
  failureTypes,
  planBlocks,
  storageKeys,
} from '@bolt/core';
import type { Logger } from '@bolt/core/log';
import {
  audioSeconds,
  contentTypes,
  type Db,
  getJob,
  type JobResult,
  type JobRow,
  jobUsage,
  markJobRunning,
  recordArtifact,
  type Storage,
  updateJob,
} from '@bolt/data';
import { activityInfo, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type AudioTools, assembleNarration } from './audio/ffmpeg.ts';
import { cues, toSrt, toVtt } from './audio/subtitles.ts';
import { type PaidCallDeps, paidCalls } from './paid.ts';
import * as prompts from './prompts.ts';

export interface ActivityDeps extends PaidCallDeps {
  db: Db;
  storage: Storage;
  audio: AudioTools;
  log: Logger;
  /** Upper bound on tokens the model may write in one reply. */
  maxTokensPerBlock: number;
}

/** What a step hands back to the workflow: a storage reference and small numbers, never the content. */
export interface StepOutput {
  key: string;
  attempt: number;
  detail?: string;
}

/** Well under the workflow's heartbeat timeout for activities. */
const HEARTBEAT_MS = 5_000;

/** Activity inputs: ids and small values; everything else is read from the DB or storage. */
interface JobRef {
  jobId: string;
}
interface NarrationRef extends JobRef {
  variation: number;
  language: string;
}

/** A language's narration as planned: the chunks to synthesize, each with the block it belongs to. */
interface NarrationPlan {
  chunks: Array<{ text: string; block: number }>;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * The job's activities. Each one is idempotent: its output goes to a key derived from its input, and
 * when that key already holds a result (a retry after a crash) it is returned without a paid call;
 * paid calls are also cached by content, so identical work is never paid for twice.
 */
export function createActivities(deps: ActivityDeps) {
  const { db, storage } = deps;
  const paid = paidCalls(deps);
  const attempt = () => activityInfo().attempt;

  async function loadJob(jobId: string): Promise<JobRow> {
    const job = await getJob(db, jobId);
    if (!job) throw ApplicationFailure.nonRetryable(`job ${jobId} does not exist`, failureTypes.JobNotFound);
    return job;
  }

  /**
   * Heartbeats while work runs: a worker that dies is noticed quickly, and cancellation gets through.
   * The first beat comes after HEARTBEAT_MS, not at once: the heartbeat timeout already runs from the
   * start, and most steps end sooner, so they cost the server no heartbeat at all.
   */
  async function beating<T>(work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => heartbeat(), HEARTBEAT_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Writes a step's text unless it is already stored (a retry, or a block the user edited). */
  async function textStep(key: string, produce: () => Promise<string>, target?: number): Promise<StepOutput> {
    let text = (await storage.find(key))?.toString();
    if (text === undefined) {
      text = await beating(produce);
      await storage.put(key, text, contentTypes.markdown);
    }
    const written = words(text);
    return { key, attempt: attempt(), detail: target ? `${written} of ${target} words` : `${written} words` };
  }

  async function readBlocks(jobId: string, variation: number, language: string, count: number) {
    return Promise.all(
      Array.from({ length: count }, async (_, i) =>
        (await storage.get(storageKeys.block(jobId, variation, language, i))).toString(),
      ),
    );
  }

  type ArtifactInfo = {
    contentType: string;
    language?: string;
    variation?: number;
    durationSeconds?: number;
  };

  /** Writes a deliverable and lists it among the job's artifacts. */
  async function store(job: JobRow, kind: ArtifactKind, key: string, body: Buffer, extra: ArtifactInfo) {
    await storage.put(key, body, extra.contentType);
    await record(job, kind, key, body, extra);
  }

  async function record(job: JobRow, kind: ArtifactKind, key: string, body: Buffer, extra: ArtifactInfo) {
    await recordArtifact(db, {
      job_id: job.id,
      kind,
      language: extra.language ?? null,
      variation: extra.variation ?? 0,
      storage_key: key,
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      content_type: extra.contentType,
      duration_seconds: extra.durationSeconds ?? null,
    });
  }

  const blockTokens = (b: BlockPlan | undefined) =>
    Math.min(deps.maxTokensPerBlock, Math.ceil((b?.targetWords ?? 300) * 1.6));

  /** A narration's blocks, in order, as the script has them in its language. */
  function scriptBlocks(job: JobRow, { variation, language }: NarrationRef): Promise<string[]> {
    const count = planBlocks(job.agent_snapshot.block_structure_prompt).length;
    return readBlocks(job.id, variation, language, count);
  }

  /** The script in one language, as Markdown: the job's title, then each block under its title. */
  async function writeScript(
    job: JobRow,
    { variation, language }: NarrationRef,
    blocks: string[],
  ): Promise<StepOutput> {
    const plan = planBlocks(job.agent_snapshot.block_structure_prompt);
    const body = Buffer.from(
      `${[`# ${job.title}`, ...blocks.map((text, i) => `## ${plan[i]?.title}\n\n${text.trim()}`)].join('\n\n')}\n`,
    );
    const key = storageKeys.script(job.id, variation, language);
    await store(job, 'script', key, body, { contentType: contentTypes.markdown, language, variation });
    return { key, attempt: attempt(), detail: `${words(body.toString())} words` };
  }

  /** The chunks to synthesize: each block, pronounceable, split at the engine's request limit. */
  async function writeNarrationPlan(
    job: JobRow,
    { variation, language }: NarrationRef,
    blocks: string[],
  ): Promise<{ chunks: number; chars: number }> {
    const agent = job.agent_snapshot;
    const dictionary = agent.pronunciation[language] ?? {};
    const chunks = blocks.flatMap((text, block) =>
      chunkText(
        applyPronunciation(prompts.speakable(text), dictionary),
        // The engine's request limit; reading it needs no key.
        deps.engines.tts(agent, '').maxInputBytes,
        language,
      ).map((chunk) => ({ text: chunk, block })),
    );
    const narration: NarrationPlan = { chunks };
    await storage.put(
      storageKeys.narrationPlan(job.id, variation, language),
      JSON.stringify(narration),
      contentTypes.json,
    );
    return { chunks: chunks.length, chars: chunks.reduce((n, c) => n + c.text.length, 0) };
  }

  return {
    async markJobRunning({ jobId }: JobRef): Promise<void> {
      await markJobRunning(db, jobId);
    },

    async generatePremise({ jobId }: JobRef): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const key = storageKeys.premise(jobId);
      const out = await textStep(key, () =>
        paid.text(job, prompts.premise(job.agent_snapshot, job.title), deps.maxTokensPerBlock),
      );
      await record(job, 'premise', key, await storage.get(key), { contentType: contentTypes.plain });
      return out;
    },

    async planScriptBlocks({ jobId }: JobRef): Promise<BlockPlan[]> {
      return planBlocks((await loadJob(jobId)).agent_snapshot.block_structure_prompt);
    },

    /** One master block, with the premise and the previous blocks' tail in context. */
    async writeBlock({
      jobId,
      block,
      plan,
    }: JobRef & { block: number; plan: BlockPlan[] }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const agent = job.agent_snapshot;
      const premise = (await storage.get(storageKeys.premise(jobId))).toString();
      const before = await readBlocks(jobId, 1, agent.language, block);
      return textStep(
        storageKeys.block(jobId, 1, agent.language, block),
        () =>
          paid.text(
            job,
            prompts.block(agent, job.title, premise, plan, block, before),
            blockTokens(plan[block]),
          ),
        plan[block]?.targetWords,
      );
    },

    /** Block `block` of variation `variation` (≥ 2): the master block rewritten. */
    async writeVariationBlock({
      jobId,
      variation,
      block,
    }: JobRef & { variation: number; block: number }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const agent = job.agent_snapshot;
      const source = (await storage.get(storageKeys.block(jobId, 1, agent.language, block))).toString();
      return textStep(storageKeys.block(jobId, variation, agent.language, block), () =>
        paid.text(job, prompts.variation(agent, variation, source), deps.maxTokensPerBlock),
      );
    },

    async adaptBlock({
      jobId,
      variation,
      language,
      block,
    }: NarrationRef & { block: number }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const agent = job.agent_snapshot;
      const source = (
        await storage.get(storageKeys.block(jobId, variation, agent.language, block))
      ).toString();
      return textStep(storageKeys.block(jobId, variation, language, block), () =>
        paid.text(job, prompts.adaptation(agent, language, source), deps.maxTokensPerBlock),
      );
    },

    /** Joins a language's blocks into one Markdown script with a heading per block. */
    async assembleScript(ref: NarrationRef): Promise<StepOutput> {
      const job = await loadJob(ref.jobId);
      return writeScript(job, ref, await scriptBlocks(job, ref));
    },

    /**
     * Applies the agent's pronunciation dictionary and splits each block into TTS-sized chunks; for
     * narrations started before the `script-and-plan-one-step` patch (newer ones use prepareNarration).
     */
    async planNarration(ref: NarrationRef): Promise<{ chunks: number; chars: number }> {
      const job = await loadJob(ref.jobId);
      return writeNarrationPlan(job, ref, await scriptBlocks(job, ref));
    },

    /** A narration's script and its plan in one step: both come from the same blocks, neither is paid. */
    async prepareNarration(ref: NarrationRef): Promise<StepOutput & { chunks: number }> {
      const job = await loadJob(ref.jobId);
      const blocks = await scriptBlocks(job, ref);
      const [script, plan] = await Promise.all([
        writeScript(job, ref, blocks),
        writeNarrationPlan(job, ref, blocks),
      ]);
      return { ...script, chunks: plan.chunks, detail: `${script.detail}, ${plan.chunks} speech chunks` };
    },

    async synthesizeChunk({
      jobId,
      variation,
      language,
      chunk,
    }: NarrationRef & { chunk: number }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const { chunks } = await readPlan(jobId, variation, language);
      const text = chunks[chunk]?.text;
      if (text === undefined)
        throw ApplicationFailure.nonRetryable(
          `chunk ${chunk + 1} of ${language} does not exist`,
          failureTypes.NoSuchChunk,
        );
      const key = await beating(() => paid.speech(job, language, text));
      return { key, attempt: attempt(), detail: `${Buffer.byteLength(text)} bytes` };
    },

    /** The MP3 (loudness-normalised, a chapter per block) and its SRT and VTT subtitles. */
    async assembleNarration({
      jobId,
      variation,
      language,
    }: NarrationRef): Promise<
      StepOutput & { durationSeconds: number; subtitles: { srt: string; vtt: string } }
    > {
      const job = await loadJob(jobId);
      const { chunks } = await readPlan(jobId, variation, language);
      const wavs = await Promise.all(chunks.map((c) => storage.get(paid.speechKey(job, language, c.text))));
      const titles = planBlocks(job.agent_snapshot.block_structure_prompt).map((b) => b.title);
      const tags = { title: job.title, artist: job.agent_snapshot.name, language };
      const { mp3, durationSeconds, timeline, chapters } = await beating(() =>
        assembleNarration(
          deps.audio,
          chunks.map((c, i) => ({ wav: wavs[i] as Buffer, block: c.block })),
          titles,
          tags,
        ),
      );
      const meta = { language, variation };
      const key = storageKeys.audio(jobId, variation, language);
      await store(job, 'audio', key, mp3, { ...meta, contentType: contentTypes.mp3, durationSeconds });
      const list = cues(
        chunks.map((c, i) => ({
          text: c.text,
          start: timeline[i]?.start ?? 0,
          duration: timeline[i]?.duration ?? 0,
        })),
        language,
      );
      const subtitles = {
        srt: storageKeys.subtitles(jobId, variation, language, 'srt'),
        vtt: storageKeys.subtitles(jobId, variation, language, 'vtt'),
      };
      await store(job, 'subtitles', subtitles.srt, Buffer.from(toSrt(list)), {
        ...meta,
        contentType: contentTypes.srt,
      });
      await store(job, 'subtitles', subtitles.vtt, Buffer.from(toVtt(list)), {
        ...meta,
        contentType: contentTypes.vtt,
      });
      const chapterCues = chapters.map((c) => ({ start: c.start, end: c.end, text: c.title }));
      await store(
        job,
        'chapters',
        storageKeys.chapters(jobId, variation, language),
        Buffer.from(toVtt(chapterCues)),
        {
          ...meta,
          contentType: contentTypes.vtt,
        },
      );
      return {
        key,
        durationSeconds,
        subtitles,
        attempt: attempt(),
        detail: `${Math.round(durationSeconds)} s`,
      };
    },

    async finishJob(
      input: JobRef & { status: 'completed' | 'failed' | 'cancelled'; error?: string; result?: JobResult },
    ): Promise<void> {
      const usage = await jobUsage(db, input.jobId);
      await updateJob(db, input.jobId, {
        status: input.status,
        error: input.error ?? null,
        result: input.result,
        tts_chars: usage.ttsChars,
        audio_seconds: await audioSeconds(db, input.jobId),
        finished_at: new Date(),
      });
    },
  };

  async function readPlan(jobId: string, variation: number, language: string): Promise<NarrationPlan> {
    return JSON.parse((await storage.get(storageKeys.narrationPlan(jobId, variation, language))).toString());
  }
}

export type JobActivities = ReturnType<typeof createActivities>;
