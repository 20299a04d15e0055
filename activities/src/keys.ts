import {
  type Config,
  type CredentialProvider,
  credentialProviderNames,
  failureTypes,
  type QuotaLimits,
  type QuotaNeed,
  type StepQuota,
  tokenCorrection,
} from '@bolt/core';
import {
  correctTokenPace,
  type Db,
  leaveQueue,
  type PoolKey,
  restKey,
  revealCredentials,
  takeTurn,
  turnSignals,
  type Waiter,
} from '@bolt/data';
import { sleep as activitySleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import pLimit, { type LimitFunction } from 'p-limit';
import { ProviderError } from './providers/errors.ts';
import { quotaWait } from './telemetry.ts';

export interface KeyRingOptions {
  db: Db;
  /** Decrypts stored credentials. */
  credentialsKey: Buffer;
  /** Server-wide keys, used when a user has stored none for that provider. */
  serverKeys: Partial<Record<CredentialProvider, string>>;
  /** Each key's limits unless it has its own (`BOLT_RATE_LIMITS`). */
  limits: Partial<Record<CredentialProvider, QuotaLimits>>;
  /** Requests in flight at once per provider in this process, whatever the key. */
  concurrency: Partial<Record<CredentialProvider, number>>;
}

/** One provider request and who it is for: the queue orders requests by these. */
export interface QuotaRequest {
  userId: string;
  jobId?: string;
  /** The step (activity id) waiting, so its timeline can say what it waits for. */
  step?: string;
  /** 0: interactive work (a block edit, a preview, a single job); 1: batch work. */
  priority: number;
  provider: CredentialProvider;
  model: string;
  need: QuotaNeed;
  /**
   * When every key rests for this model (the provider said so): `throw` KeysResting at once, so the
   * caller may try a fallback model; `wait` (default) for the first to wake.
   */
  onRest?: 'wait' | 'throw';
  /** The latest time (epoch ms) the request may wait to in place; a later slot is a QuotaWait failure. */
  waitUntil?: number;
}

/**
 * A queued request looks at the queue again at least this often, so the timeline stays current and a
 * missed signal costs no more than this.
 */
const MAX_POLL_MS = 5_000;
/** A rest this short is waited out; a longer one lets the caller try its fallback model first. */
const FALLBACK_AFTER_MS = 5_000;

/** Waits: inside an activity, until it is cancelled at the latest; elsewhere (a voice preview), plainly. */
function pause(ms: number): Promise<void> {
  try {
    return activitySleep(ms);
  } catch {
    return new Promise((r) => setTimeout(r, ms));
  }
}

/** The server-wide keys from the configuration. */
export function serverKeys(config: Config): Partial<Record<CredentialProvider, string>> {
  return {
    gemini: config.GEMINI_API_KEY,
    openai: config.OPENAI_API_KEY,
    'google-tts': config.GOOGLE_TTS_API_KEY,
  };
}

interface UsableKey {
  id: string;
  secret: string;
  limits: QuotaLimits | null;
  last4: string;
}

/** A user's keys for a provider, oldest first; the server's key when the user has none. */
export function providerKeys(options: Pick<KeyRingOptions, 'db' | 'credentialsKey' | 'serverKeys'>) {
  return async (userId: string, provider: CredentialProvider): Promise<UsableKey[]> => {
    const keys: UsableKey[] = await revealCredentials(options.db, options.credentialsKey, userId, provider);
    const server = options.serverKeys[provider];
    if (keys.length === 0 && server)
      keys.push({ id: `server-${provider}`, secret: server, limits: null, last4: '' });
    return keys;
  };
}

/** Parses "gemini=16,google-tts=16" into a number per provider. */
export function parseProviderLimits(spec: string): Partial<Record<CredentialProvider, number>> {
  return Object.fromEntries(
    spec
      .split(',')
      .map((pair) => pair.split('='))
      .map(([p, n]) => [p, Number(n)]),
  );
}

/**
 * The user's keys for each provider, shared fairly. Every request waits its turn in a queue kept in
 * PostgreSQL, so every worker sees the same one: interactive work first, then the user served least
 * recently, then that user's job served least recently. The first in line takes the key that is free
 * soonest by its limits (requests and tokens or characters per minute, requests per day); a key the
 * provider throttles rests for the delay it asked for while the others carry on. A waiting request is
 * not a failed attempt: its step shows what it waits for, and only a wait longer than the step may
 * spend in place (a key's day spent) goes back to the workflow as a QuotaWait.
 */
export function keyRing(options: KeyRingOptions) {
  const { db } = options;
  // A request takes its provider's slot once it has its key: a queued request holds no slot.
  const slots = new Map<CredentialProvider, LimitFunction>();
  const slot = (provider: CredentialProvider) => {
    let limit = slots.get(provider);
    if (!limit) {
      limit = pLimit(options.concurrency[provider] ?? 32);
      slots.set(provider, limit);
    }
    return limit;
  };

  const keysFor = providerKeys(options);
  const signals = turnSignals(db);

  async function keysOf(userId: string, provider: CredentialProvider) {
    const keys = await keysFor(userId, provider);
    if (keys.length === 0) {
      throw ApplicationFailure.nonRetryable(
        `No ${credentialProviderNames[provider]} key: add one under Credentials, then retry the job`,
        failureTypes.MissingCredential,
      );
    }
    return keys;
  }

  /** Waits in the queue until a key is this request's; returns that key. */
  async function turnFor(req: QuotaRequest, keys: UsableKey[], poolKeys: PoolKey[]): Promise<UsableKey> {
    const pool = `${req.provider}:${keys[0]?.id.startsWith('server-') ? 'server' : req.userId}`;
    const waiter: Waiter & { id?: number } = { ...req, pool };
    let waited = 0;
    try {
      for (;;) {
        const turn = await takeTurn(db, waiter, poolKeys);
        if ('key' in turn) {
          waiter.id = undefined; // handed its key: its row is gone
          // Its slot may be a moment ahead: keys are handed out slightly early so the queue keeps pace.
          if (turn.sendInMs > 0) await pause(turn.sendInMs);
          if (waited > 0) quotaWait(req.provider, waited);
          return keys.find((k) => k.id === turn.key) as UsableKey;
        }
        waiter.id = turn.waiterId;
        if (turn.reason === 'rest' && req.onRest === 'throw' && turn.waitMs > FALLBACK_AFTER_MS)
          throw new KeysResting(req.provider);
        if (req.waitUntil !== undefined && turn.nextAt > req.waitUntil)
          throw quotaWaitFailure({
            provider: req.provider,
            key: turn.keyHint,
            reason: turn.reason,
            nextAt: new Date(turn.nextAt).toISOString(),
          });
        // The first in line sleeps until its key is free; the others until they are told they are first.
        const started = Date.now();
        await signals.wait(
          turn.waiterId,
          turn.first ? Math.min(turn.waitMs, MAX_POLL_MS) : MAX_POLL_MS,
          pause,
        );
        waited += Date.now() - started;
      }
    } finally {
      if (waiter.id !== undefined) {
        signals.forget(waiter.id);
        await leaveQueue(db, { id: waiter.id, pool });
      }
    }
  }

  return {
    /**
     * Runs one provider request with one of the user's keys, once the queue gives it one. A rate-limit
     * answer rests that key for the model and queues the request again; other errors are the caller's.
     */
    async call<T>(
      req: QuotaRequest,
      request: (secret: string) => Promise<T>,
      /** The tokens a text call really used, to give back what its reservation took beyond them. */
      tokensUsed?: (result: T) => number,
    ): Promise<T> {
      const keys = await keysOf(req.userId, req.provider);
      const defaults = options.limits[req.provider] ?? {};
      const poolKeys = keys.map((k) => ({
        id: k.id,
        limits: { ...defaults, ...k.limits },
        hint: k.last4 ? `…${k.last4}` : 'server',
      }));
      for (;;) {
        const key = await turnFor(req, keys, poolKeys);
        try {
          const result = await slot(req.provider)(() => request(key.secret));
          const reserved = req.need.tokens;
          if (tokensUsed && reserved) {
            const limits = { ...defaults, ...key.limits };
            await correctTokenPace(db, key.id, tokenCorrection(limits, reserved, tokensUsed(result)));
          }
          return result;
        } catch (err) {
          if (!(err instanceof ProviderError) || err.kind !== 'rate-limited') throw err;
          await restKey(db, key.id, req.model, err.retryAfterMs ?? 30_000);
        }
      }
    },
  };
}

export type KeyRing = ReturnType<typeof keyRing>;

/** Every key of the user for a provider rests for this model; a fallback model may be tried. */
export class KeysResting extends Error {
  override name = 'KeysResting';
  constructor(readonly provider: CredentialProvider) {
    super(`Every ${credentialProviderNames[provider]} key is over its quota for this model`);
  }
}

/**
 * The step cannot get a key before `nextAt`, later than it may wait in place: the workflow waits for it
 * with a timer, showing why, and runs the step again (not a failed attempt).
 */
export function quotaWaitFailure(quota: StepQuota): ApplicationFailure {
  return ApplicationFailure.create({
    message: `Waiting for ${credentialProviderNames[quota.provider]} quota until ${quota.nextAt}`,
    type: failureTypes.QuotaWait,
    nonRetryable: true,
    details: [quota],
  });
}
