import {
  type AdmissionView,
  type Agent,
  type CredentialProvider,
  credentialProviderNames,
  type JobEstimate,
  llmCredential,
  nextQuotaDay,
  parseRateLimits,
  quotaDayStart,
  serverKeys,
  ttsCredential,
} from '@bolt/core';
import { keyPool, listCredentials } from '@bolt/data';
import { quotaChangedSignal } from '@bolt/workflows';
import type { JobServices } from './services.ts';

/** Characters per speech request, as the narration plan fills them (Google's limit is 5,000 bytes). */
const CHARS_PER_SPEECH_REQUEST = 4_000;

/** The requests a job makes of each provider whose keys it uses, from its estimate. */
function requestsOf(agent: Agent, estimate: JobEstimate): Map<CredentialProvider, number> {
  const requests = new Map<CredentialProvider, number>();
  const add = (provider: CredentialProvider | undefined, n: number) => {
    if (provider) requests.set(provider, (requests.get(provider) ?? 0) + n);
  };
  const speech = Math.ceil(estimate.ttsChars / CHARS_PER_SPEECH_REQUEST);
  add(llmCredential[agent.llm_provider], estimate.llmCalls);
  add(ttsCredential[agent.tts_provider], speech);
  // The quality step hears each speech request back with the model provider's transcription.
  add(llmCredential[agent.llm_provider], speech);
  return requests;
}

/** One pool of keys as the queue sees it: their limits, what is left of their day, who else waits. */
async function poolOf(
  { db, config }: Pick<JobServices, 'db' | 'config'>,
  ownerId: string,
  provider: CredentialProvider,
) {
  const defaults = parseRateLimits(config.BOLT_RATE_LIMITS)[provider] ?? {};
  const own = await listCredentials(db, ownerId, provider);
  const { name: pool, keys } = keyPool(
    provider,
    ownerId,
    own,
    defaults,
    serverKeys(config)[provider] !== undefined,
  );
  // No key at all: the job says so when it starts; quota holds nothing back.
  if (keys.length === 0) return { perMinute: undefined, leftToday: undefined, waiting: [] };
  const today = quotaDayStart(Date.now());
  const used = new Map<string, number>(
    (
      await db('key_quotas')
        .whereIn(
          'key_id',
          keys.map((k) => k.id),
        )
        .andWhere({ day: today })
        .select('key_id', 'day_requests')
    ).map((r: { key_id: string; day_requests: number }) => [r.key_id, r.day_requests]),
  );
  const perMinute = keys.every((k) => k.limits.rpm)
    ? keys.reduce((n, k) => n + (k.limits.rpm ?? 0), 0)
    : undefined;
  const leftToday = keys.every((k) => k.limits.rpd)
    ? keys.reduce((n, k) => n + Math.max(0, (k.limits.rpd ?? 0) - (used.get(k.id) ?? 0)), 0)
    : undefined;
  const waiting: Array<{ priority: number; user_id: string }> = await db('quota_waiters')
    .where({ pool })
    .select('priority', 'user_id');
  return { perMinute, leftToday, waiting };
}

/**
 * When work of this size, started now, should start and finish as far as quota decides: the requests
 * waiting ahead of it (higher priority) go first, then it shares each pool's requests per minute with
 * the other users waiting at its priority; a pool's day spent moves the rest to the next quota day. Text
 * and speech are counted one after the other, as a narration speaks what was written before it.
 * Where no limit applies, quota does not hold the work back and both times are now.
 */
export async function admission(
  services: Pick<JobServices, 'db' | 'config'>,
  ownerId: string,
  agent: Agent,
  estimate: JobEstimate,
  jobs: number,
  batch: boolean,
): Promise<AdmissionView> {
  const now = Date.now();
  const priority = batch ? 1 : 0;
  let startMs = 0;
  let workMs = 0;
  let fitsToday = true;
  const warnings: string[] = [];
  for (const [provider, perJob] of requestsOf(agent, estimate)) {
    const pool = await poolOf(services, ownerId, provider);
    const requests = perJob * jobs;
    const name = credentialProviderNames[provider];
    if (pool.leftToday !== undefined && requests > pool.leftToday) {
      fitsToday = false;
      warnings.push(
        `${name}: about ${requests} requests needed, ${pool.leftToday} left today on these keys; the rest waits for the next quota day`,
      );
    }
    if (!pool.perMinute) continue;
    const ahead = pool.waiting.filter((w) => w.priority < priority).length;
    const sharers = new Set(
      pool.waiting.filter((w) => w.priority === priority && w.user_id !== ownerId).map((w) => w.user_id),
    );
    const minute = 60_000;
    startMs = Math.max(startMs, (ahead * minute) / pool.perMinute);
    const share = pool.perMinute / (sharers.size + 1);
    const today = Math.min(requests, pool.leftToday ?? requests);
    workMs += (today * minute) / share;
    if (today < requests) {
      // What the day cannot take starts at the next quota day, at the pool's pace.
      const later = requests - today;
      const nextDay = nextQuotaDay(now) - now;
      workMs = Math.max(workMs, nextDay) + (later * minute) / share;
    }
  }
  const finish = now + startMs + workMs;
  if (fitsToday && finish > nextQuotaDay(now) && warnings.length === 0)
    warnings.push('at the current pace this work finishes after the quota day ends');
  return {
    start_at: new Date(now + startMs),
    finish_at: new Date(finish),
    fits_today: fitsToday,
    warnings,
  };
}

/**
 * Tells the owner's running jobs, and their narrations, that a key was added or its limits changed:
 * a step waiting for the next quota day looks again at once. A job that cannot be told (it just ended,
 * Temporal is away) keeps waiting on its timer.
 */
export async function wakeQuotaWaiters({ db, client }: Pick<JobServices, 'db' | 'client'>, ownerId: string) {
  const jobs: Array<{ workflow_id: string }> = await db('jobs')
    .where({ owner_id: ownerId })
    .whereIn('status', ['queued', 'running'])
    .select('workflow_id');
  await Promise.allSettled(
    jobs.map(async ({ workflow_id }) => {
      const ids = [workflow_id];
      for await (const run of client.workflow.list({
        query: `WorkflowId STARTS_WITH "${workflow_id}/" AND ExecutionStatus = "Running"`,
      }))
        ids.push(run.workflowId);
      await Promise.allSettled(ids.map((id) => client.workflow.getHandle(id).signal(quotaChangedSignal)));
    }),
  );
}
