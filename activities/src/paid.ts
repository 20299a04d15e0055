import { createHash } from 'node:crypto';
import {
  type CredentialProvider,
  estimateCost,
  failureTypes,
  type PriceTable,
  storageKeys,
  ttsUsageName,
} from '@bolt/core';
import type { Logger } from '@bolt/core/log';
import {
  BudgetExceededError,
  contentTypes,
  type Db,
  type JobRow,
  recordUsage,
  reserveSpend,
  type Spend,
  type Storage,
} from '@bolt/data';
import { activityInfo, cancellationSignal, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type AudioTools, chunkSeconds, toWav } from './audio/ffmpeg.ts';
import { type Engines, llmCredential, transcription, ttsCredential } from './engines.ts';
import { type KeyRing, KeysResting, type QuotaRequest } from './keys.ts';
import type { LlmResult } from './llm/provider.ts';
import * as prompts from './prompts.ts';
import { ProviderError, toApplicationFailure } from './providers/errors.ts';
import { checkRepetition, checkShortLines } from './quality/script-checks.ts';
import { cacheHit, paidCost, providerCall } from './telemetry.ts';
import { cleanReply, lastSentenceEnd } from './text/clean-reply.ts';
import { UnsupportedVoiceError } from './tts/espeak.ts';

export interface PaidCallDeps {
  db: Db;
  storage: Storage;
  log: Logger;
  audio: AudioTools;
  engines: Engines;
  keys: KeyRing;
  prices: PriceTable;
}

/**
 * How long before its start-to-close timeout a step stops waiting for quota in place: a later slot
 * (a key's day spent) is waited for by the workflow instead.
 */
const QUOTA_WAIT_MARGIN_MS = 10 * 60_000;

/** Tries to keep a paid result for about a minute and a quarter before the step gives up. */
const PERSIST_ATTEMPTS = 10;

/**
 * Keeps what a paid call returned: storing it and settling its cost are retried in place while the
 * object store or the database restarts, since failing the step would pay for the call again.
 */
async function persist(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      if (attempt >= PERSIST_ATTEMPTS) throw err;
      await sleep(Math.min(1000 * 2 ** (attempt - 1), 10_000)); // ends early when the step is cancelled
    }
  }
}

/** Runs a provider call; when it fails, its reservation in the ledger is given back. */
async function released<T>(spend: Spend, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    await spend.release();
    throw err;
  }
}

/** The reply as script text; one with nothing left once cleaned is an error, not an empty block. */
function usable(reply: string): string {
  const text = cleanReply(reply);
  if (!text) throw new Error('the model returned no text');
  return text;
}

/** Takes the call's place in the ledger; a call over the job's budget fails the step for good. */
async function reserve(...args: Parameters<typeof reserveSpend>): Promise<Spend> {
  try {
    return await reserveSpend(...args);
  } catch (err) {
    if (err instanceof BudgetExceededError)
      throw ApplicationFailure.nonRetryable(err.message, failureTypes.BudgetExceeded);
    throw err;
  }
}

/** A request to the agent's model; a temperature only where it is not the engine's own. */
interface Ask {
  prompt: string;
  maxTokens: number;
  temperature?: number;
}

/** The embedded model's second attempt at a degenerate reply: less adventurous sampling. */
const RETRY_TEMPERATURE = 0.3;

/** A reply as cleaned text, cut after its last full sentence when the output limit stopped it. */
function wholeSentences({ text, finishReason }: LlmResult): string {
  const clean = cleanReply(text);
  if (finishReason !== 'length') return clean;
  const end = lastSentenceEnd(clean);
  return end > 0 ? clean.slice(0, end) : clean;
}

/** How degenerate a text is: how many of the checks for word salad and loops it fails; worst when empty. */
const degeneracy = (text: string) =>
  text ? [checkShortLines(text), checkRepetition(text)].filter((c) => c.verdict === 'fail').length : 3;

/** How many times a reply cut off by the output limit is continued before the step gives up. */
const MAX_CONTINUATIONS = 3;

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * Every call that may cost money goes through here: first the content-addressed cache (per user: the
 * same provider, model and input were answered before → no call), then the budget check, then the
 * provider with one of the user's keys, then the cache and the usage ledger.
 */
export function paidCalls(deps: PaidCallDeps) {
  const { db, storage, log, engines, keys, prices } = deps;
  const step = () => activityInfo().activityId;

  /**
   * A call's place in the quota queue: a batch job's calls wait behind interactive work, except those
   * of its block edits (steps named `….edit-…`), which someone is waiting for.
   */
  function quotaRequest(
    job: JobRow,
    provider: CredentialProvider,
    model: string,
    need: QuotaRequest['need'],
    onRest?: QuotaRequest['onRest'],
  ): QuotaRequest {
    const info = activityInfo();
    return {
      userId: job.owner_id,
      jobId: job.id,
      step: info.activityId,
      priority: job.batch && !info.activityId.includes('.edit-') ? 1 : 0,
      provider,
      model,
      need,
      onRest,
      waitUntil: info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs - QUOTA_WAIT_MARGIN_MS,
    };
  }

  /**
   * One model call, from the cache when the same request was answered before. With a fallback model
   * left, a call whose keys all rest for this one throws KeysResting instead of waiting.
   */
  async function generateOnce(job: JobRow, model: string, ask: Ask, fallback: boolean) {
    const { prompt, maxTokens, temperature } = ask;
    const agent = job.agent_snapshot;
    const system = prompts.system(agent);
    const provider = agent.llm_provider;
    const key = storageKeys.cached(
      job.owner_id,
      'llm',
      hashOf({
        provider,
        model,
        system,
        prompt,
        maxTokens,
        ...(temperature === undefined ? {} : { temperature }),
      }),
    );
    const hit = await storage.find(key);
    if (hit) {
      await recordUsage(db, { job_id: job.id, step: step(), provider, model, cost_usd: 0, cached: true });
      cacheHit(provider, 'llm');
      return JSON.parse(hit.toString()) as LlmResult;
    }
    const estimate = { tokensIn: Math.ceil((system.length + prompt.length) / 4), tokensOut: maxTokens };
    const spend = await reserve(
      db,
      job,
      { step: step(), provider, model },
      estimateCost(prices, provider, model, estimate),
    );
    log.info({ event: 'call.started', step: step(), provider, model, key }, 'paid call started');
    const request = (secret: string) =>
      providerCall(
        { provider, model },
        () =>
          engines
            .llm(agent, model, secret)
            .generate({ system, prompt, maxTokens, temperature, signal: cancellationSignal() }),
        (r) => ({
          outcome: r.finishReason === 'length' ? 'truncated' : 'ok',
          attributes: { 'bolt.tokens_in': r.tokensIn, 'bolt.tokens_out': r.tokensOut },
        }),
      );
    const credential = llmCredential[provider];
    const tokens = estimate.tokensIn + estimate.tokensOut;
    const result = await released(spend, () =>
      credential
        ? viaKeys(
            quotaRequest(job, credential, model, { tokens }, fallback ? 'throw' : 'wait'),
            request,
            (r) => r.tokensIn + r.tokensOut,
          )
        : request(''),
    );
    await persist(() => storage.put(key, JSON.stringify(result), contentTypes.json));
    const cost = estimateCost(prices, provider, model, result);
    await persist(() =>
      spend.settle({ tokens_in: result.tokensIn, tokens_out: result.tokensOut, cost_usd: cost }),
    );
    paidCost(provider, model, cost);
    log.info({ event: 'call.completed', step: step(), provider, model, key }, 'paid call completed');
    return result;
  }

  /** A call with one of the user's keys for `credential`, in its turn (the embedded engines need none). */
  function withKey<T>(
    job: JobRow,
    credential: CredentialProvider | undefined,
    model: string,
    need: QuotaRequest['need'],
    request: (secret: string) => Promise<T>,
  ): Promise<T> {
    return credential ? viaKeys(quotaRequest(job, credential, model, need), request) : request('');
  }

  /** A call through the key ring; a provider's final or passing error becomes the step's failure. */
  async function viaKeys<T>(
    req: QuotaRequest,
    request: (secret: string) => Promise<T>,
    tokensUsed?: (result: T) => number,
  ): Promise<T> {
    try {
      return await keys.call(req, request, tokensUsed);
    } catch (err) {
      throw err instanceof ProviderError ? toApplicationFailure(err) : err;
    }
  }

  /** A call with the agent's model, or its fallback model while every key is over quota for the first. */
  async function generate(job: JobRow, ask: Ask): Promise<LlmResult> {
    const models = engines.llmModels(job.agent_snapshot);
    for (const [i, model] of models.entries()) {
      const fallback = i < models.length - 1;
      try {
        return await generateOnce(job, model, ask, fallback);
      } catch (err) {
        if (!(err instanceof KeysResting) || !fallback) throw err;
        log.warn({ event: 'model.fallback', step: step(), from: model, to: models[i + 1] }, err.message);
      }
    }
    throw new Error('an agent always has a model');
  }

  /**
   * The embedded model's text. A reply cut off by the output limit ends at its last full sentence: asked
   * to go on, a model this small repeats itself. A degenerate reply (word salad, a loop) is asked for
   * once more at a lower temperature, and the better of the two is kept.
   */
  async function smallModelText(job: JobRow, ask: Ask): Promise<string> {
    const first = wholeSentences(await generate(job, ask));
    const failed = degeneracy(first);
    if (failed === 0) return usable(first);
    log.info({ event: 'llm.degenerate', step: step() }, 'degenerate reply: asking again, colder');
    const second = wholeSentences(await generate(job, { ...ask, temperature: RETRY_TEMPERATURE }));
    return usable(degeneracy(second) < failed ? second : first);
  }

  return {
    /**
     * Text from the agent's model, cleaned of what is not the text itself (cleanReply). A reply cut off
     * by the output limit is continued (each part is its own cached call), so a long block is never
     * silently truncated; the embedded model's is not (smallModelText).
     */
    async text(job: JobRow, prompt: string, maxTokens: number): Promise<string> {
      if (job.agent_snapshot.llm_provider === 'local') return smallModelText(job, { prompt, maxTokens });
      let text = '';
      for (let round = 0; round <= MAX_CONTINUATIONS; round++) {
        const res = await generate(job, {
          prompt: round === 0 ? prompt : prompts.continuation(prompt, text),
          maxTokens,
        });
        text = round === 0 ? res.text.trim() : `${text} ${res.text.trim()}`;
        if (res.finishReason !== 'length') return usable(text);
      }
      log.warn({ event: 'llm.truncated', step: step() }, 'still cut off after continuing');
      return usable(text);
    },

    /**
     * Where a chunk's audio is cached: the same text in the same voice, spoken the same way, is one file
     * for every job. Only the voice settings the engine applies join the key, and none when all are
     * defaults, so the keys of speech cached before voice settings existed stay the same. `take` numbers
     * a chunk synthesized again because its first take was not heard right (the first has none).
     */
    speechKey(job: JobRow, language: string, text: string, take = 1): string {
      const agent = job.agent_snapshot;
      const voice = agent.default_voices[language] ?? '';
      const params = engines.tts(agent, '').voiceParams({
        text,
        language,
        voice: voice || undefined,
        settings: agent.voice_settings?.[language],
      });
      return storageKeys.cached(
        job.owner_id,
        'tts',
        hashOf({
          provider: agent.tts_provider,
          voice,
          language,
          text,
          ...(Object.keys(params).length > 0 ? { params } : {}),
          ...(take > 1 ? { take } : {}),
        }),
      );
    },

    /** Speech for one chunk as WAV in the cache; returns its storage key. */
    async speech(job: JobRow, language: string, text: string, take = 1): Promise<string> {
      const agent = job.agent_snapshot;
      const provider = ttsUsageName[agent.tts_provider];
      const voice = agent.default_voices[language];
      const model = voice ?? 'default';
      const key = this.speechKey(job, language, text, take);
      const chars = text.length;
      if ((await storage.size(key)) !== undefined) {
        await recordUsage(db, {
          job_id: job.id,
          step: step(),
          provider,
          model,
          chars,
          cost_usd: 0,
          cached: true,
        });
        cacheHit(provider, 'tts');
        return key;
      }
      const cost = estimateCost(prices, provider, model, { chars });
      const spend = await reserve(db, job, { step: step(), provider, model }, cost);
      log.info({ event: 'call.started', step: step(), provider, key }, 'paid call started');
      const settings = agent.voice_settings?.[language];
      const request = (secret: string) =>
        providerCall(
          { provider, model },
          () =>
            engines
              .tts(agent, secret)
              .synthesize({ text, language, voice, settings, signal: cancellationSignal() }),
          (r) => ({ attributes: { 'bolt.chars': chars, 'bolt.audio_bytes': r.audio.length } }),
        );
      const res = await released(spend, async () => {
        try {
          return await withKey(job, ttsCredential[agent.tts_provider], model, { chars }, request);
        } catch (err) {
          if (err instanceof UnsupportedVoiceError)
            throw ApplicationFailure.nonRetryable(err.message, failureTypes.UnsupportedVoice);
          throw err;
        }
      });
      const wav = await toWav(deps.audio, res.audio, res.format, res.sampleRate);
      await persist(() => storage.put(key, wav, contentTypes.wav));
      await persist(() =>
        spend.settle({
          chars,
          bytes: Buffer.byteLength(text),
          audio_seconds: chunkSeconds(wav),
          cost_usd: cost,
        }),
      );
      paidCost(provider, model, cost);
      log.info({ event: 'call.completed', step: step(), provider, key }, 'paid call completed');
      return key;
    },

    /**
     * What a chunk's audio says, heard by the agent's transcription engine; undefined when it has none.
     * Cached per audio and take, so a retry pays nothing and a new take is heard afresh.
     */
    async transcript(job: JobRow, language: string, wav: Buffer, take: number): Promise<string | undefined> {
      const agent = job.agent_snapshot;
      const engine = transcription[agent.llm_provider];
      if (!engine) return undefined;
      const { usageName: provider, credential, model } = engine;
      const audio = createHash('sha256').update(wav).digest('hex');
      const key = storageKeys.cached(job.owner_id, 'asr', hashOf({ provider, model, language, audio, take }));
      const hit = await storage.find(key);
      if (hit) {
        await recordUsage(db, { job_id: job.id, step: step(), provider, model, cost_usd: 0, cached: true });
        cacheHit(provider, 'asr');
        return hit.toString();
      }
      const seconds = chunkSeconds(wav);
      const cost = estimateCost(prices, provider, model, { seconds });
      const spend = await reserve(db, job, { step: step(), provider, model }, cost);
      const request = (secret: string) =>
        providerCall(
          { provider, model },
          () => engines.asr(agent, secret).transcribe({ audio: wav, language, signal: cancellationSignal() }),
          () => ({ attributes: { 'bolt.audio_seconds': seconds } }),
        );
      const { text } = await released(spend, () => withKey(job, credential, model, {}, request));
      await persist(() => storage.put(key, text, contentTypes.plain));
      await persist(() => spend.settle({ audio_seconds: seconds, cost_usd: cost }));
      paidCost(provider, model, cost);
      return text;
    },
  };
}
