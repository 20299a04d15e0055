import {
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
  type KeyPool,
  keyPool,
  leaveQueue,
  restKey,
  revealCredentials,
  serverKeyId,
  takeTurn,
  turnSignals,
  type Waiter,
} from '@bolt/data';
import { sleep as activitySleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import pLimit, { type LimitFunction } from 'p-limit';
import { ProviderError, type ProviderErrorKind } from './providers/errors.ts';
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

/**
 * A user's keys for a provider as the queue pools them (their own, or else the server's), and each
 * key's secret.
 */
export function providerKeys(
  options: Pick<KeyRingOptions, 'db' | 'credentialsKey' | 'serverKeys' | 'limits'>,
) {
  return async (userId: string, provider: CredentialProvider) => {
    const own = await revealCredentials(options.db, options.credentialsKey, userId, provider);
    const server = options.serverKeys[provider];
    const pool = keyPool(provider, userId, own, options.limits[provider] ?? {}, server !== undefined);
    const secrets = new Map(own.map((k) => [k.id, k.secret]));
    if (server !== undefined) secrets.set(serverKeyId(provider), server);
    return { ...pool, secretOf: (id: string) => secrets.get(id) as string };
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

  async function poolOf(userId: string, provider: CredentialProvider) {
    const pool = await keysFor(userId, provider);
    if (pool.keys.length === 0) {
      throw ApplicationFailure.nonRetryable(
        `No ${credentialProviderNames[provider]} key: add one under Credentials, then retry the job`,
        failureTypes.MissingCredential,
      );
    }
    return pool;
  }

  /** Waits in the queue until one of the pool's keys not in `avoid` is this request's; returns its id. */
  async function turnFor(req: QuotaRequest, pool: KeyPool, avoid: string[]): Promise<string> {
    const waiter: Waiter & { id?: number } = { ...req, pool: pool.name, avoid };
    let waited = 0;
    try {
      for (;;) {
        const turn = await takeTurn(db, waiter, pool.keys);
        if ('key' in turn) {
          waiter.id = undefined; // handed its key: its row is gone
          // Its slot may be a moment ahead: keys are handed out slightly early so the queue keeps pace.
          if (turn.sendInMs > 0) await pause(turn.sendInMs);
          if (waited > 0) quotaWait(req.provider, waited);
          return turn.key;
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
        await leaveQueue(db, { id: waiter.id, pool: pool.name });
      }
    }
  }

  return {
    /**
     * Runs one provider request with one of the user's keys, once the queue gives it one. A rate-limit
     * answer rests that key for the model and queues the request again; a key the provider refuses
     * (invalid, or without permission) is set aside for this request while another key is left to try.
     * Other errors, and the refusal of the last key, are the caller's.
     */
    async call<T>(
      req: QuotaRequest,
      request: (secret: string) => Promise<T>,
      /** The tokens a text call really used, to give back what its reservation took beyond them. */
      tokensUsed?: (result: T) => number,
    ): Promise<T> {
      let pool = await poolOf(req.userId, req.provider);
      const refused: string[] = [];
      for (;;) {
        const keyId = await turnFor(req, pool, refused);
        const keyOf = () => pool.keys.find((k) => k.id === keyId);
        // Another request, which read the user's keys at another moment, may hand this one a key added
        // since (read now) or deleted since (given up for the next).
        let key = keyOf();
        if (!key) {
          pool = await poolOf(req.userId, req.provider);
          key = keyOf();
          if (!key) continue;
        }
        const { limits } = key;
        try {
          const result = await slot(req.provider)(() => request(pool.secretOf(keyId)));
          const reserved = req.need.tokens;
          if (tokensUsed && reserved)
            await correctTokenPace(db, keyId, tokenCorrection(limits, reserved, tokensUsed(result)));
          return result;
        } catch (err) {
          if (!(err instanceof ProviderError)) throw err;
          if (err.kind === 'rate-limited') await restKey(db, keyId, req.model, err.retryAfterMs ?? 30_000);
          else if (refusals.has(err.kind) && pool.keys.some((k) => k.id !== keyId && !refused.includes(k.id)))
            refused.push(keyId);
          else throw err;
        }
      }
    },
  };
}

/** Answers that say the key itself is refused: another of the user's keys may be accepted. */
const refusals = new Set<ProviderErrorKind>(['invalid-key', 'permission']);

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
