import { createHash } from 'node:crypto';
import {
  type ArtifactKind,
  applyPronunciation,
  type BlockPlan,
  type Check,
  type CheckedPart,
  failureTypes,
  type JobQuality,
  type NarrationQuality,
  planBlocks,
  type QualityReport,
  storageKeys,
  summariseQuality,
  worstVerdict,
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
  oneAtATime,
  recordArtifact,
  type Storage,
  updateJob,
} from '@bolt/data';
import { activityInfo, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import pLimit from 'p-limit';
import { type AudioTools, assembleNarration } from './audio/ffmpeg.ts';
import { cues, toSrt, toVtt } from './audio/subtitles.ts';
import { type PaidCallDeps, paidCalls } from './paid.ts';
import * as prompts from './prompts.ts';
import { checkNarrationAudio, measureChunk } from './quality/audio-checks.ts';
import { checkBlock } from './quality/script-checks.ts';
import { wordErrorRate } from './quality/wer.ts';
import { toSpoken } from './text/spoken/index.ts';
import { type SpeechChunk, speechChunks } from './tts/speech-chunks.ts';

export interface ActivityDeps extends PaidCallDeps {
  db: Db;
  storage: Storage;
  audio: AudioTools;
  log: Logger;
  /** Upper bound on tokens the model may write in one reply. */
  maxTokensPerBlock: number;
  /** Word error rate above which a chunk's speech is synthesized again (at most MAX_RETAKES times). */
  maxWordErrorRate: number;
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

/** A block's checks before speech, and whether it was written again because it failed them. */
interface BlockReview extends CheckedPart {
  block: number;
  targetWords: number;
  repaired: boolean;
  /** The first answer's checks, when it was written again. */
  before?: CheckedPart;
}

interface Review {
  blocks: BlockReview[];
}

/** Whether speech was given the language's spoken forms, or the text as written (not an error). */
function spokenFormCheck(language: string): Check {
  const detail = toSpoken('', language).supported
    ? 'numbers, dates, units and abbreviations said in words'
    : `no spoken-form rules for ${language}: read as written`;
  return { name: 'spoken-form', verdict: 'pass', detail };
}

/** The detail of a block's or chunk's check that decided its verdict. */
const worstDetail = (part: CheckedPart) => part.checks.find((c) => c.verdict === part.verdict)?.detail;

/** ffmpeg measurements of speech chunks at once, per narration. */
const AUDIO_CHECKS_AT_ONCE = 4;
/** How many times a chunk whose transcript is too far from its text is synthesized again. */
const MAX_RETAKES = 2;
/** A block title's room in the model's reply, and the longest a translated one may be. */
const TITLE_TOKENS = 24;
const MAX_TITLE_CHARS = 80;

/** The job's quality over its narrations' verdicts, when they were checked. */
function jobQuality(result: JobResult): JobQuality | undefined {
  const narrations = result.variations.flatMap((v) =>
    Object.entries(v.quality ?? {}).map(([language, q]) => ({
      variation: v.variation,
      language,
      verdict: q.verdict,
      notes: q.notes,
    })),
  );
  return narrations.length ? summariseQuality(narrations) : undefined;
}

/**
 * A chunk to synthesize. Plans written before spoken forms have no `written` (it was the text), nor
 * `pauseAfterMs` before pauses; `take` is set once a chunk was synthesized again (quality step).
 */
type PlannedChunk = Omit<SpeechChunk, 'written'> & Partial<SpeechChunk> & { block: number; take?: number };

interface NarrationPlan {
  chunks: PlannedChunk[];
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Whether a job's text is the embedded model's, whose blocks are also checked for what it can write. */
const embedded = (job: JobRow) => ({ embeddedModel: job.agent_snapshot.llm_provider === 'local' });

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

  async function readBlock(jobId: string, variation: number, language: string, block: number) {
    return (await storage.get(storageKeys.block(jobId, variation, language, block))).toString();
  }

  async function readBlocks(jobId: string, variation: number, language: string, count: number) {
    return Promise.all(Array.from({ length: count }, (_, i) => readBlock(jobId, variation, language, i)));
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

  /**
   * The block titles in `language`: the agent's own in its language; elsewhere translated once per job
   * and language (a paid call, cached) and kept with the job. A reply that is not one title per line
   * leaves the agent's titles: a chapter name untranslated beats a chapter name that is wrong.
   */
  function blockTitles(job: JobRow, language: string): Promise<string[]> {
    const own = planBlocks(job.agent_snapshot.block_structure_prompt).map((b) => b.title);
    if (language === job.agent_snapshot.language) return Promise.resolve(own);
    return translatedTitles(job, language, own);
  }
  async function translatedTitles(job: JobRow, language: string, own: string[]): Promise<string[]> {
    const key = storageKeys.titles(job.id, language);
    const stored = await storage.find(key);
    if (stored) return JSON.parse(stored.toString()) as string[];
    const prompt = prompts.titles(language, own);
    const { llm_provider, llm_model } = job.agent_snapshot;
    // The same titles in the same language with the same model are one paid request, whichever of the
    // user's jobs or variations asks, on whichever worker: the next one to ask finds it in the cache.
    const request = createHash('sha256')
      .update([job.owner_id, llm_provider, llm_model, prompt].join('\u0000'))
      .digest('hex');
    const reply = await oneAtATime(db, `titles:${request}`, () =>
      paid.text(job, prompt, TITLE_TOKENS * own.length),
    );
    const lines = reply
      .split('\n')
      .map((line) =>
        line
          .replace(/^\s*(#+|\d+[.)]|[-*])\s*/, '')
          .replace(/^["“]|["”]$/g, '')
          .trim(),
      )
      .filter(Boolean);
    const fits = lines.length === own.length && lines.every((line) => line.length <= MAX_TITLE_CHARS);
    const titles = fits ? lines : own;
    await storage.put(key, JSON.stringify(titles), contentTypes.json);
    return titles;
  }

  /** The script in one language, as Markdown: the job's title, then each block under its title. */
  async function writeScript(
    job: JobRow,
    { variation, language }: NarrationRef,
    blocks: string[],
  ): Promise<StepOutput> {
    const titles = await blockTitles(job, language);
    const body = Buffer.from(
      `${[`# ${job.title}`, ...blocks.map((text, i) => `## ${titles[i]}\n\n${text.trim()}`)].join('\n\n')}\n`,
    );
    const key = storageKeys.script(job.id, variation, language);
    await store(job, 'script', key, body, { contentType: contentTypes.markdown, language, variation });
    return { key, attempt: attempt(), detail: `${words(body.toString())} words` };
  }

  /**
   * Plain text as the voice should say it in `language`: numbers, dates, units and abbreviations in
   * words, then the agent's pronunciation dictionary applied.
   */
  function spokenForm(job: JobRow, language: string) {
    const dictionary = job.agent_snapshot.pronunciation[language] ?? {};
    return (text: string) => applyPronunciation(toSpoken(text, language).text, dictionary);
  }

  /**
   * The chunks to synthesize: each block as the voice should say it (the pronunciation dictionary
   * applied), split at the engine's request limit, with the written words each chunk says.
   */
  async function writeNarrationPlan(
    job: JobRow,
    { variation, language }: NarrationRef,
    blocks: string[],
  ): Promise<{ chunks: number; chars: number }> {
    const agent = job.agent_snapshot;
    // The engine's request limit and SSML support; reading them needs no key.
    const engine = deps.engines.tts(agent, '');
    const options = {
      language,
      voice: agent.default_voices[language],
      settings: agent.voice_settings?.[language],
      plain: prompts.speakable,
      spoken: spokenForm(job, language),
    };
    const chunks = blocks.flatMap((text, block) =>
      speechChunks(engine, text, options).map((chunk) => ({ ...chunk, block })),
    );
    await writePlan({ jobId: job.id, variation, language }, { chunks });
    return { chunks: chunks.length, chars: chunks.reduce((n, c) => n + c.text.length, 0) };
  }

  /** What the model is asked for to write one block of a narration's script, and how long it should be. */
  async function blockRequest(job: JobRow, { variation, language }: NarrationRef, block: number) {
    const agent = job.agent_snapshot;
    const plan = planBlocks(agent.block_structure_prompt);
    const sourceOf = (v: number) => readBlock(job.id, v, agent.language, block);
    if (language !== agent.language) {
      const source = await sourceOf(variation);
      const prompt = prompts.adaptation(agent, language, source);
      return { prompt, targetWords: words(source), maxTokens: deps.maxTokensPerBlock };
    }
    if (variation > 1) {
      const source = await sourceOf(1);
      const prompt = prompts.variation(agent, variation, source);
      return { prompt, targetWords: words(source), maxTokens: deps.maxTokensPerBlock };
    }
    const premise = (await storage.get(storageKeys.premise(job.id))).toString();
    const before = await readBlocks(job.id, 1, agent.language, block);
    return {
      prompt: prompts.block(agent, job.title, premise, plan, block, before),
      targetWords: plan[block]?.targetWords ?? 300,
      maxTokens: blockTokens(plan[block]),
    };
  }

  /** A block as the model writes it: a master block, a variation's rewrite or an adaptation. */
  async function writeModelBlock(job: JobRow, ref: NarrationRef, block: number): Promise<StepOutput> {
    const request = await blockRequest(job, ref, block);
    return textStep(
      storageKeys.block(job.id, ref.variation, ref.language, block),
      () => paid.text(job, request.prompt, request.maxTokens),
      request.targetWords,
    );
  }

  /** Each block checked; one that fails is written again with a rule per failed check, and checked again. */
  async function reviewScript(job: JobRow, ref: NarrationRef): Promise<Review> {
    const count = planBlocks(job.agent_snapshot.block_structure_prompt).length;
    const indexes = Array.from({ length: count }, (_, i) => i);
    // The embedded model writes one block at a time on the CPU, and asked again it repeats its mistakes:
    // its blocks are checked and flagged, not written again (which would double a job's time).
    const rewrites = job.agent_snapshot.llm_provider !== 'local';
    // Every request is read before any block is rewritten, so a retry asks (and pays) for the same.
    const requests = await Promise.all(indexes.map((block) => blockRequest(job, ref, block)));
    const texts = await scriptBlocks(job, ref);
    const blocks = await Promise.all(
      indexes.map(async (block): Promise<BlockReview> => {
        const request = requests[block] as (typeof requests)[number];
        const key = storageKeys.block(job.id, ref.variation, ref.language, block);
        const options = { ...embedded(job), earlier: texts.slice(0, block) };
        const first = checkBlock(texts[block] ?? '', ref.language, request.targetWords, options);
        if (first.verdict !== 'fail' || !rewrites)
          return { block, targetWords: request.targetWords, ...first, repaired: false };
        const failed = first.checks.filter((c) => c.verdict === 'fail').map((c) => c.name);
        const prompt = prompts.stricter(request.prompt, ref.language, request.targetWords, failed);
        const again = await paid.text(job, prompt, request.maxTokens);
        await storage.put(key, again, contentTypes.markdown);
        const second = checkBlock(again, ref.language, request.targetWords, options);
        return { block, targetWords: request.targetWords, ...second, repaired: true, before: first };
      }),
    );
    return { blocks };
  }

  /** Every check of a narration as it stands: blocks (with the review's rewrites) and speech chunks. */
  async function qualityReport(job: JobRow, ref: NarrationRef): Promise<QualityReport> {
    const titles = await blockTitles(job, ref.language);
    const reviewed = await storage.find(storageKeys.review(job.id, ref.variation, ref.language));
    const review: Review | undefined = reviewed && JSON.parse(reviewed.toString());
    const texts = await scriptBlocks(job, ref);
    const blocks = await Promise.all(
      texts.map(async (text, block) => {
        const reviewedBlock = review?.blocks[block];
        const targetWords = reviewedBlock?.targetWords ?? (await blockRequest(job, ref, block)).targetWords;
        return {
          block: block + 1,
          title: titles[block] ?? '',
          ...checkBlock(text, ref.language, targetWords, {
            ...embedded(job),
            earlier: texts.slice(0, block),
          }),
          rewritten: reviewedBlock?.repaired ?? false,
          ...(reviewedBlock?.before ? { before: reviewedBlock.before } : {}),
        };
      }),
    );
    const audio = await chunkAudio(job, ref);
    const notes = [
      ...blocks
        .filter((b) => b.verdict !== 'pass')
        .map((b) => `block ${b.block}${b.rewritten ? ' (rewritten)' : ''}: ${worstDetail(b)}`),
      ...audio.chunks.filter((c) => c.verdict !== 'pass').map((c) => `chunk ${c.chunk}: ${worstDetail(c)}`),
      ...audio.checks.filter((c) => c.verdict !== 'pass').map((c) => c.detail),
    ];
    const verdict = worstVerdict([...blocks.map((b) => b.verdict), audio.verdict]);
    const { chunks } = audio;
    const checks = [spokenFormCheck(ref.language), ...audio.checks];
    return { variation: ref.variation, language: ref.language, verdict, notes, blocks, chunks, checks };
  }

  /**
   * Each speech chunk measured by ffmpeg and, where the agent has a transcription engine, heard: a
   * chunk whose transcript is too far from its text is synthesized again, at most MAX_RETAKES times,
   * and the narration plan records the take to use. Then each chunk is checked, alone and against the
   * narration's other chunks.
   */
  async function chunkAudio(job: JobRow, ref: NarrationRef) {
    const plan = await readPlan(ref.jobId, ref.variation, ref.language);
    const spoken = spokenForm(job, ref.language);
    const limit = pLimit(AUDIO_CHECKS_AT_ONCE);
    const heard = await Promise.all(plan.chunks.map((c) => limit(() => hear(job, ref.language, c, spoken))));
    if (heard.some((h, i) => h.take !== (plan.chunks[i]?.take ?? 1))) {
      const chunks = plan.chunks.map((c, i) => ({ ...c, take: heard[i]?.take ?? 1 }));
      await writePlan(ref, { chunks });
    }
    const narration = checkNarrationAudio(
      heard.map((h, i) => ({ text: plan.chunks[i]?.text ?? '', audio: h.audio })),
    );
    return {
      verdict: worstVerdict([narration.verdict, ...heard.map((h) => h.check?.verdict ?? 'pass')]),
      checks: narration.checks,
      chunks: narration.chunks.map((checked, i) => {
        const h = heard[i] as (typeof heard)[number];
        const checks = h.check ? [...checked.checks, h.check] : checked.checks;
        return {
          chunk: i + 1,
          block: (plan.chunks[i]?.block ?? 0) + 1,
          seconds: h.audio.seconds,
          ...(h.wer === undefined ? {} : { wordErrorRate: h.wer, takes: h.take }),
          verdict: worstVerdict(checks.map((c) => c.verdict)),
          checks,
        };
      }),
    };
  }

  /** One chunk's audio measured and, where it can be, transcribed and compared with its text. */
  async function hear(job: JobRow, language: string, chunk: PlannedChunk, spoken: (text: string) => string) {
    for (let take = chunk.take ?? 1; ; take++) {
      if (take > (chunk.take ?? 1)) await paid.speech(job, language, chunk.text, take);
      const wav = await storage.get(paid.speechKey(job, language, chunk.text, take));
      const audio = await measureChunk(deps.audio, wav);
      const transcript = await paid.transcript(job, language, wav, take);
      if (transcript === undefined) return { audio, take };
      const wer = wordErrorRate(chunk.text, spoken(transcript));
      const again = take - 1;
      const retakes = again ? `, after ${again} ${again > 1 ? 're-syntheses' : 're-synthesis'}` : '';
      const detail = `word error rate ${wer.toFixed(2)}${retakes}`;
      if (wer <= deps.maxWordErrorRate)
        return { audio, take, wer, check: { name: 'round-trip', verdict: 'pass' as const, detail } };
      if (again >= MAX_RETAKES) {
        const verdict = wer <= 2 * deps.maxWordErrorRate ? ('warn' as const) : ('fail' as const);
        return { audio, take, wer, check: { name: 'round-trip', verdict, detail } };
      }
    }
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
    async writeBlock({ jobId, block }: JobRef & { block: number }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      return writeModelBlock(job, { jobId, variation: 1, language: job.agent_snapshot.language }, block);
    },

    /** Block `block` of variation `variation` (≥ 2): the master block rewritten. */
    async writeVariationBlock({
      jobId,
      variation,
      block,
    }: JobRef & { variation: number; block: number }): Promise<StepOutput> {
      const job = await loadJob(jobId);
      return writeModelBlock(job, { jobId, variation, language: job.agent_snapshot.language }, block);
    },

    async adaptBlock({ block, ...ref }: NarrationRef & { block: number }): Promise<StepOutput> {
      return writeModelBlock(await loadJob(ref.jobId), ref, block);
    },

    /**
     * New text from the model for one block of a finished narration: its request again, asked to differ
     * from the take it replaces, which is kept as the previous take. A retry after the new text was
     * written finds it recorded and asks for nothing more.
     */
    async rerollBlock({ block, ...ref }: NarrationRef & { block: number }): Promise<StepOutput> {
      const job = await loadJob(ref.jobId);
      const key = storageKeys.block(job.id, ref.variation, ref.language, block);
      const record = storageKeys.reroll(job.id, ref.variation, ref.language, block);
      const current = (await storage.get(key)).toString();
      const hash = createHash('sha256').update(current).digest('hex');
      const done = await storage.find(record);
      if (!done || JSON.parse(done.toString()).text !== hash) {
        const request = await blockRequest(job, ref, block);
        const text = await beating(() =>
          paid.text(job, prompts.anotherTake(request.prompt, current), request.maxTokens),
        );
        await storage.put(
          storageKeys.previousBlock(job.id, ref.variation, ref.language, block),
          current,
          contentTypes.markdown,
        );
        await storage.put(key, text, contentTypes.markdown);
        const written = createHash('sha256').update(text).digest('hex');
        await storage.put(record, JSON.stringify({ text: written }), contentTypes.json);
      }
      return { key, attempt: attempt(), detail: `${words((await storage.get(key)).toString())} words` };
    },

    /**
     * Checks each block of a script as the model wrote it (language, length, word salad, repetition,
     * leaked instructions) and asks once more, with stricter rules, for each block that fails; the
     * second answer is kept whatever its verdict, and the quality report says what it was.
     */
    async reviewBlocks(ref: NarrationRef): Promise<{ key: string; attempt: number; detail: string }> {
      const job = await loadJob(ref.jobId);
      const key = storageKeys.review(ref.jobId, ref.variation, ref.language);
      const done = await storage.find(key);
      const review: Review = done ? JSON.parse(done.toString()) : await beating(() => reviewScript(job, ref));
      if (!done) await storage.put(key, JSON.stringify(review), contentTypes.json);
      const repaired = review.blocks.filter((b) => b.repaired).length;
      const failing = review.blocks.filter((b) => b.verdict === 'fail').length;
      return {
        key,
        attempt: attempt(),
        detail: `${review.blocks.length - failing} of ${review.blocks.length} blocks pass${repaired ? `, ${repaired} rewritten` : ''}`,
      };
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
      const wavs = await Promise.all(
        chunks.map((c) => storage.get(paid.speechKey(job, language, c.text, c.take))),
      );
      const titles = await blockTitles(job, language);
      const tags = { title: job.title, artist: job.agent_snapshot.name, language };
      const { mp3, durationSeconds, timeline, chapters } = await beating(() =>
        assembleNarration(
          deps.audio,
          chunks.map((c, i) => ({ wav: wavs[i] as Buffer, block: c.block, pauseAfterMs: c.pauseAfterMs })),
          titles,
          tags,
          { blockPauseMs: job.agent_snapshot.voice_settings?.[language]?.block_pause_ms },
        ),
      );
      const meta = { language, variation };
      const key = storageKeys.audio(jobId, variation, language);
      await store(job, 'audio', key, mp3, { ...meta, contentType: contentTypes.mp3, durationSeconds });
      const list = cues(
        chunks.map((c, i) => ({
          text: c.written ?? c.text,
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

    /**
     * A narration's quality report: its blocks' script checks as they are now (edits included) with what
     * the review rewrote, and each speech chunk's audio checks; stored as an artifact, with a verdict.
     */
    async checkNarration(ref: NarrationRef): Promise<StepOutput & NarrationQuality> {
      const job = await loadJob(ref.jobId);
      const report = await beating(() => qualityReport(job, ref));
      const key = storageKeys.quality(ref.jobId, ref.variation, ref.language);
      await store(job, 'quality', key, Buffer.from(`${JSON.stringify(report, null, 2)}\n`), {
        contentType: contentTypes.json,
        language: ref.language,
        variation: ref.variation,
      });
      return {
        key,
        attempt: attempt(),
        verdict: report.verdict,
        notes: report.notes,
        detail: [report.verdict, ...report.notes.slice(0, 1)].join(': '),
      };
    },

    async finishJob(
      input: JobRef & { status: 'completed' | 'failed' | 'cancelled'; error?: string; result?: JobResult },
    ): Promise<void> {
      const usage = await jobUsage(db, input.jobId);
      const quality = input.result && jobQuality(input.result);
      await updateJob(db, input.jobId, {
        status: input.status,
        error: input.error ?? null,
        result: input.result && { ...input.result, ...(quality ? { quality } : {}) },
        tts_chars: usage.ttsChars,
        audio_seconds: await audioSeconds(db, input.jobId),
        finished_at: new Date(),
      });
    },
  };

  async function readPlan(jobId: string, variation: number, language: string): Promise<NarrationPlan> {
    return JSON.parse((await storage.get(storageKeys.narrationPlan(jobId, variation, language))).toString());
  }

  async function writePlan({ jobId, variation, language }: NarrationRef, plan: NarrationPlan) {
    await storage.put(
      storageKeys.narrationPlan(jobId, variation, language),
      JSON.stringify(plan),
      contentTypes.json,
    );
  }
}

export type JobActivities = ReturnType<typeof createActivities>;
