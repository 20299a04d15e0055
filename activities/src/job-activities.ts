import { createHash } from 'node:crypto';
import {
  type Agent,
  applyPronunciation,
  type BlockPlan,
  chunkText,
  planBlocks,
  storageKeys,
} from '@bolt/core';
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AudioTools } from './audio/ffmpeg.ts';
import { assembleMp3 } from './audio/ffmpeg.ts';
import { type Db, getJob, type JobResult, type JobRow, recordArtifact, updateJob } from './db/index.ts';
import type { LlmProvider } from './llm/provider.ts';
import type { Logger } from './log.ts';
import * as prompts from './prompts.ts';
import type { Storage } from './storage/index.ts';
import { UnsupportedVoiceError } from './tts/espeak.ts';
import type { TtsProvider } from './tts/provider.ts';

export interface ActivityDeps {
  db: Db;
  storage: Storage;
  llm: LlmProvider;
  tts: TtsProvider;
  audio: AudioTools;
  log: Logger;
  /** Upper bound on tokens the model may write for one block. */
  maxTokensPerBlock: number;
}

/** What a step hands back to the workflow: a storage reference and small numbers, never the content. */
export interface StepOutput {
  key: string;
  attempt: number;
}

const MARKDOWN = 'text/markdown; charset=utf-8';
/** Well under the workflow's heartbeat timeout for activities. */
const HEARTBEAT_MS = 5_000;
const PLAIN = 'text/plain; charset=utf-8';

/** Activity inputs: ids and small values; everything else is read from the DB or storage. */
interface JobRef {
  jobId: string;
}
interface LanguageRef extends JobRef {
  language: string;
}
interface PlannedLanguage extends LanguageRef {
  plan: BlockPlan[];
}

/**
 * The job's activities. Each one is idempotent: its output goes to a key derived from its input, and
 * when that key already holds a result (a retry after a crash) it is returned without a paid call.
 */
export function createActivities(deps: ActivityDeps) {
  const { db, storage, log } = deps;
  const attempt = () => activityInfo().attempt;

  async function loadJob(jobId: string): Promise<JobRow> {
    const job = await getJob(db, jobId);
    if (!job) throw ApplicationFailure.nonRetryable(`job ${jobId} does not exist`, 'JobNotFound');
    return job;
  }

  /** Runs a paid call only when its output is not stored yet. */
  async function once(
    key: string,
    produce: () => Promise<Buffer | string>,
    contentType: string,
  ): Promise<StepOutput> {
    if ((await storage.size(key)) === undefined) {
      log.info({ event: 'call.started', key }, 'paid call started');
      await storage.put(key, await produce(), contentType);
      log.info({ event: 'call.completed', key }, 'paid call completed');
    }
    return { key, attempt: attempt() };
  }

  /** Heartbeats while work runs, so a worker that dies is noticed within the heartbeat timeout. */
  async function beating<T>(work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => heartbeat(), HEARTBEAT_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  async function write(agent: Agent, prompt: string, maxTokens: number): Promise<string> {
    const res = await deps.llm.generate({
      system: prompts.system(agent),
      prompt,
      maxTokens,
      signal: cancellationSignal(),
    });
    if (!res.text) throw new Error(`${deps.llm.name} returned an empty text`);
    return res.text;
  }

  async function readBlocks(jobId: string, language: string, count: number): Promise<string[]> {
    return Promise.all(
      Array.from({ length: count }, async (_, i) =>
        (await storage.get(storageKeys.block(jobId, language, i))).toString(),
      ),
    );
  }

  async function record(
    job: JobRow,
    kind: 'premise' | 'script' | 'audio',
    key: string,
    body: Buffer,
    extra: {
      language?: string;
      contentType: string;
      durationSeconds?: number;
    },
  ) {
    await recordArtifact(db, {
      job_id: job.id,
      kind,
      language: extra.language ?? null,
      variation: 0,
      storage_key: key,
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      content_type: extra.contentType,
      duration_seconds: extra.durationSeconds ?? null,
    });
  }

  return {
    async markJobRunning({ jobId }: JobRef): Promise<void> {
      await db('jobs')
        .where({ id: jobId })
        .whereIn('status', ['queued', 'failed'])
        .update({ status: 'running', error: null });
    },

    async generatePremise({ jobId }: JobRef): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const key = storageKeys.premise(jobId);
      const out = await once(
        key,
        () =>
          write(job.agent_snapshot, prompts.premise(job.agent_snapshot, job.titulo), deps.maxTokensPerBlock),
        PLAIN,
      );
      await record(job, 'premise', key, await storage.get(key), { contentType: PLAIN });
      return out;
    },

    async planScriptBlocks({ jobId }: JobRef): Promise<BlockPlan[]> {
      return planBlocks((await loadJob(jobId)).agent_snapshot.block_structure_prompt);
    },

    async writeBlock({
      jobId,
      block,
      plan,
    }: JobRef & { block: number; plan: BlockPlan[] }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const agent = job.agent_snapshot;
      const premise = (await storage.get(storageKeys.premise(jobId))).toString();
      const before = await readBlocks(jobId, agent.idioma, block);
      const maxTokens = Math.min(deps.maxTokensPerBlock, Math.ceil((plan[block]?.targetWords ?? 300) * 1.6));
      return once(
        storageKeys.block(jobId, agent.idioma, block),
        () => write(agent, prompts.block(agent, job.titulo, premise, plan, block, before), maxTokens),
        MARKDOWN,
      );
    },

    async adaptBlock({ jobId, language, block }: LanguageRef & { block: number }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const agent = job.agent_snapshot;
      const source = (await storage.get(storageKeys.block(jobId, agent.idioma, block))).toString();
      return once(
        storageKeys.block(jobId, language, block),
        () => write(agent, prompts.adaptation(agent, language, source), deps.maxTokensPerBlock),
        MARKDOWN,
      );
    },

    /** Joins a language's blocks into one Markdown script with a heading per block. */
    async assembleScript({ jobId, language, plan }: PlannedLanguage): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const blocks = await readBlocks(jobId, language, plan.length);
      const body = [
        `# ${job.titulo}`,
        ...blocks.map((text, i) => `## ${plan[i]?.title}\n\n${text.trim()}`),
      ].join('\n\n');
      const key = storageKeys.script(jobId, language);
      await storage.put(key, `${body}\n`, MARKDOWN);
      await record(job, 'script', key, Buffer.from(`${body}\n`), { language, contentType: MARKDOWN });
      return { key, attempt: attempt() };
    },

    /** Applies the agent's pronunciation dictionary and splits the script into TTS-sized chunks. */
    async planNarration({
      jobId,
      language,
      plan,
    }: PlannedLanguage): Promise<{ chunks: number; chars: number }> {
      const dictionary = (await loadJob(jobId)).agent_snapshot.pronunciation[language] ?? {};
      const blocks = await readBlocks(jobId, language, plan.length);
      const chunks = blocks.flatMap((b) =>
        chunkText(applyPronunciation(prompts.speakable(b), dictionary), deps.tts.maxInputBytes, language),
      );
      await storage.put(storageKeys.chunkTexts(jobId, language), JSON.stringify(chunks), 'application/json');
      return { chunks: chunks.length, chars: chunks.reduce((n, c) => n + c.length, 0) };
    },

    async synthesizeChunk({ jobId, language, chunk }: LanguageRef & { chunk: number }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      const chunks = JSON.parse(
        (await storage.get(storageKeys.chunkTexts(jobId, language))).toString(),
      ) as string[];
      const text = chunks[chunk];
      if (text === undefined)
        throw ApplicationFailure.nonRetryable(`chunk ${chunk} of ${language} does not exist`);
      return once(
        storageKeys.chunk(jobId, language, chunk),
        async () => {
          try {
            const voice = job.agent_snapshot.default_voices[language];
            return (await deps.tts.synthesize({ text, language, voice })).audio;
          } catch (err) {
            if (err instanceof UnsupportedVoiceError)
              throw ApplicationFailure.nonRetryable(err.message, 'UnsupportedVoice');
            throw err;
          }
        },
        'audio/wav',
      );
    },

    async assembleAudio({
      jobId,
      language,
      chunks,
    }: LanguageRef & { chunks: number }): Promise<StepOutput & { durationSeconds: number }> {
      const job = await loadJob(jobId);
      const wavs = await Promise.all(
        Array.from({ length: chunks }, (_, i) => storage.get(storageKeys.chunk(jobId, language, i))),
      );
      const tags = { title: job.titulo, artist: job.agent_snapshot.name, language };
      const { mp3, durationSeconds } = await beating(() => assembleMp3(deps.audio, wavs, tags));
      const key = storageKeys.audio(jobId, language);
      await storage.put(key, mp3, 'audio/mpeg');
      await record(job, 'audio', key, mp3, { language, contentType: 'audio/mpeg', durationSeconds });
      return { key, durationSeconds, attempt: attempt() };
    },

    async finishJob(
      input: JobRef & {
        status: 'completed' | 'failed' | 'cancelled';
        error?: string;
        result?: JobResult;
        chars?: number;
        durationSeconds?: number;
      },
    ): Promise<void> {
      await updateJob(db, input.jobId, {
        status: input.status,
        error: input.error ?? null,
        result: input.result,
        chars_processados_tts: input.chars ?? 0,
        duracao_total_segundos: input.durationSeconds ?? 0,
        finished_at: new Date(),
      });
    },
  };
}

export type JobActivities = ReturnType<typeof createActivities>;
