import { ProviderError, type ProviderErrorKind, providerError } from './errors.ts';

export interface QuickRetry {
  /** Calls in all, the first included. */
  attempts?: number;
  /** The longest wait between two calls: a provider asking for more is not waited for. */
  maxWaitMs?: number;
  /** The wait when the provider names none, doubled after each failure. */
  firstWaitMs?: number;
  /** The failures tried again; by default a rate limit and a passing failure. */
  kinds?: ProviderErrorKind[];
  /** Each call's limit: a provider that has not answered by then counts as unreachable. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `call`, or a transient ProviderError when it takes longer than `ms`. */
function withTimeout<T>(provider: string, ms: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          providerError('transient', provider, `no answer within ${Math.round(ms / 1000)} s`, undefined),
        ),
      ms,
    );
  });
  return Promise.race([call(), late]).finally(() => clearTimeout(timer));
}

/**
 * A provider call someone is waiting for (a voice list, a preview, a key test): a passing failure is
 * tried again a few times, after the wait the provider asked for when it fits within seconds. Jobs
 * retry through Temporal instead; this is only for answers a person waits for.
 */
export async function retryQuickly<T>(
  provider: string,
  call: () => Promise<T>,
  {
    attempts = 3,
    maxWaitMs = 3000,
    firstWaitMs = 250,
    timeoutMs = 15_000,
    kinds = ['rate-limited', 'transient'],
  }: QuickRetry = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTimeout(provider, timeoutMs, call);
    } catch (err) {
      if (!(err instanceof ProviderError) || !kinds.includes(err.kind) || attempt >= attempts) throw err;
      const wait = err.retryAfterMs ?? firstWaitMs * 2 ** (attempt - 1);
      if (wait > maxWaitMs) throw err;
      await sleep(wait);
    }
  }
}
