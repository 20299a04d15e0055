import { type Config, type CredentialProvider, credentialProviderNames, failureTypes } from '@bolt/core';
import { type Db, revealCredentials } from '@bolt/data';
import { ApplicationFailure } from '@temporalio/common';
import pLimit, { type LimitFunction } from 'p-limit';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ProviderError, toApplicationFailure } from './providers/errors.ts';
import { quotaWait } from './telemetry.ts';

export interface KeyRingOptions {
  db: Db;
  /** Decrypts stored credentials. */
  credentialsKey: Buffer;
  /** Server-wide keys, used when a user has stored none for that provider. */
  serverKeys: Partial<Record<CredentialProvider, string>>;
  /** Requests per minute per key. */
  requestsPerMinute: Partial<Record<CredentialProvider, number>>;
  /** Requests in flight at once per provider in this process, whatever the key. */
  concurrency: Partial<Record<CredentialProvider, number>>;
  /** Waits without blocking the activity's heartbeats. */
  sleep?: (ms: number) => Promise<void>;
}

/** A wait this short is spent in the activity; a longer one rotates keys or becomes a retry delay. */
const WAIT_IN_PLACE_MS = 5_000;

/** The server-wide keys from the configuration. */
export function serverKeys(config: Config): Partial<Record<CredentialProvider, string>> {
  return {
    gemini: config.GEMINI_API_KEY,
    openai: config.OPENAI_API_KEY,
    'google-tts': config.GOOGLE_TTS_API_KEY,
  };
}

/** A user's keys for a provider, oldest first; the server's key when the user has none. */
export function providerKeys(options: Pick<KeyRingOptions, 'db' | 'credentialsKey' | 'serverKeys'>) {
  return async (
    userId: string,
    provider: CredentialProvider,
  ): Promise<Array<{ id: string; secret: string }>> => {
    const keys = await revealCredentials(options.db, options.credentialsKey, userId, provider);
    const server = options.serverKeys[provider];
    if (keys.length === 0 && server) keys.push({ id: `server-${provider}`, secret: server });
    return keys;
  };
}

/** Parses "gemini=60,google-tts=300" into a number per provider. */
export function parseProviderLimits(spec: string): Partial<Record<CredentialProvider, number>> {
  return Object.fromEntries(
    spec
      .split(',')
      .map((pair) => pair.split('='))
      .map(([p, n]) => [p, Number(n)]),
  );
}

/**
 * The user's keys for each provider, with a request-rate limit per key that every worker shares (kept
 * in PostgreSQL) and rotation: a key the provider throttles rests for the delay the provider asked for
 * while the next key takes over. When every key rests, the activity is retried once the first wakes.
 */
export function keyRing(options: KeyRingOptions) {
  const { db } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const common = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true };
  // One request per interval per key, so no window ever holds more than the limit.
  const pacing = new Map<CredentialProvider, RateLimiterPostgres>();
  const pace = (provider: CredentialProvider) => {
    let limiter = pacing.get(provider);
    if (!limiter) {
      const rpm = options.requestsPerMinute[provider] ?? 60;
      limiter = new RateLimiterPostgres({
        ...common,
        keyPrefix: `pace_${provider}`,
        points: 1,
        duration: Math.ceil(60_000 / rpm) / 1000,
      });
      pacing.set(provider, limiter);
    }
    return limiter;
  };
  // Keys (per model) that the provider throttled, resting until the time it named.
  const resting = new RateLimiterPostgres({ ...common, keyPrefix: 'resting', points: 1, duration: 1 });
  // A request takes its provider's slot before its turn: a paced request never waits again after it.
  const slots = new Map<CredentialProvider, LimitFunction>();
  const slot = (provider: CredentialProvider) => {
    let limit = slots.get(provider);
    if (!limit) {
      limit = pLimit(options.concurrency[provider] ?? 16);
      slots.set(provider, limit);
    }
    return limit;
  };

  const keysFor = providerKeys(options);

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

  /** How long a key must still wait before its next request, 0 when it may go now (and is counted). */
  async function turn(provider: CredentialProvider, keyId: string, model: string): Promise<number> {
    const rest = await resting.get(`${keyId}:${model}`);
    if (rest && rest.consumedPoints > 1) return rest.msBeforeNext;
    try {
      await pace(provider).consume(keyId);
      return 0;
    } catch (res) {
      if (res instanceof RateLimiterRes) return Math.max(res.msBeforeNext, 1);
      throw res;
    }
  }

  /** Tries the keys in turn, each at its pace; a throttled key rests while the next one takes over. */
  async function withKeys<T>(
    provider: CredentialProvider,
    model: string,
    keys: Array<{ id: string; secret: string }>,
    request: (secret: string) => Promise<T>,
  ): Promise<T> {
    for (;;) {
      let soonest = Number.POSITIVE_INFINITY;
      for (const key of keys) {
        let wait = await turn(provider, key.id, model);
        while (wait > 0 && wait <= WAIT_IN_PLACE_MS) {
          quotaWait(provider, wait);
          await sleep(wait);
          wait = await turn(provider, key.id, model);
        }
        if (wait > 0) {
          soonest = Math.min(soonest, wait);
          continue;
        }
        try {
          return await request(key.secret);
        } catch (err) {
          if (!(err instanceof ProviderError)) throw err;
          if (err.kind !== 'rate-limited') throw toApplicationFailure(err);
          const restMs = err.retryAfterMs ?? 30_000;
          await resting.block(`${key.id}:${model}`, Math.ceil(restMs / 1000));
          soonest = Math.min(soonest, restMs);
        }
      }
      if (soonest > WAIT_IN_PLACE_MS) throw new KeysResting(provider, soonest);
      quotaWait(provider, soonest);
      await sleep(soonest);
    }
  }

  return {
    /**
     * Runs one provider request with one of the user's keys. Rate-limit errors rest that key and move to
     * the next; other provider errors are final (bad key, bad request…) or left to Temporal's retries.
     */
    async call<T>(
      userId: string,
      provider: CredentialProvider,
      model: string,
      request: (secret: string) => Promise<T>,
    ): Promise<T> {
      const keys = await keysOf(userId, provider);
      return slot(provider)(() => withKeys(provider, model, keys, request));
    },
  };
}

export type KeyRing = ReturnType<typeof keyRing>;

/** Every key of the user for a provider is resting; a retry after `retryAfterMs` may succeed. */
export class KeysResting extends Error {
  override name = 'KeysResting';
  constructor(
    readonly provider: CredentialProvider,
    readonly retryAfterMs: number,
  ) {
    super(
      `Every ${credentialProviderNames[provider]} key is over its quota; retrying when the first one may be used`,
    );
  }

  /** The step's failure, retried after the wait: counted as a quota wait of that length. */
  toFailure(): ApplicationFailure {
    quotaWait(this.provider, this.retryAfterMs);
    return ApplicationFailure.create({
      message: this.message,
      type: failureTypes.RateLimited,
      nextRetryDelay: this.retryAfterMs,
    });
  }
}
