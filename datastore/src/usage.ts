import type { JobUsage, StepUsage } from '@bolt/core';
import type { Db } from './db.ts';

export interface UsageEntry {
  job_id: string;
  step: string;
  provider: string;
  model: string;
  tokens_in?: number;
  tokens_out?: number;
  chars?: number;
  bytes?: number;
  audio_seconds?: number;
  cost_usd: number;
  /** Found in the cache: no provider call was made, nothing was paid. */
  cached: boolean;
}

export async function recordUsage(db: Db, entry: UsageEntry): Promise<void> {
  await db('usage').insert(entry);
}

/** A job's totals; TTS characters count cached chunks too (the work the job needed). */
export async function jobUsage(db: Db, jobId: string): Promise<JobUsage> {
  const row = await db('usage')
    .where({ job_id: jobId })
    .first(
      db.raw('coalesce(sum(tokens_in), 0)::int as "tokensIn"'),
      db.raw('coalesce(sum(tokens_out), 0)::int as "tokensOut"'),
      db.raw(
        `coalesce(sum(chars) filter (where provider not in ('local', 'gemini', 'openai')), 0)::int as "ttsChars"`,
      ),
      db.raw('coalesce(sum(audio_seconds), 0)::float as "audioSeconds"'),
      db.raw('coalesce(sum(cost_usd), 0)::float as "costUsd"'),
      db.raw('count(*) filter (where not cached)::int as "paidCalls"'),
      db.raw('count(*) filter (where cached)::int as "cachedCalls"'),
    );
  return row as JobUsage;
}

/** Per step: what each step of a job used and cost. */
export async function usageByStep(db: Db, jobId: string): Promise<StepUsage[]> {
  return db('usage')
    .where({ job_id: jobId })
    .groupBy('step', 'provider', 'model')
    .orderBy('step')
    .select(
      'step',
      'provider',
      'model',
      db.raw('sum(tokens_in)::int as tokens_in'),
      db.raw('sum(tokens_out)::int as tokens_out'),
      db.raw('sum(chars)::int as chars'),
      db.raw('sum(audio_seconds)::float as audio_seconds'),
      db.raw('sum(cost_usd)::float as cost_usd'),
      db.raw('count(*) filter (where not cached)::int as paid_calls'),
      db.raw('count(*) filter (where cached)::int as cached_calls'),
    );
}

/** The next call would take the job over its budget: final for the job, nothing was paid. */
export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
}

/** A paid call's place in the ledger, taken before the call and settled (or released) after it. */
export interface Spend {
  settle(usage: Omit<UsageEntry, 'job_id' | 'step' | 'provider' | 'model' | 'cached'>): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes a ledger row for a call about to be made. With a budget, the job's row is locked while its
 * spending plus every reserved estimate is checked, so calls running in parallel cannot all slip under
 * the cap; a call that would exceed it throws BudgetExceededError before anything is paid.
 */
export async function reserveSpend(
  db: Db,
  job: { id: string; budget_usd: number | null },
  call: Pick<UsageEntry, 'step' | 'provider' | 'model'>,
  estimateUsd: number,
): Promise<Spend> {
  const base = { job_id: job.id, ...call, cached: false };
  const budget = job.budget_usd;
  if (budget == null || estimateUsd === 0) {
    return { settle: (usage) => recordUsage(db, { ...base, ...usage }), release: async () => {} };
  }
  const id = await db.transaction(async (tx) => {
    await tx('jobs').where({ id: job.id }).forUpdate().first('id');
    const { costUsd } = await jobUsage(tx, job.id);
    if (costUsd + estimateUsd > budget) {
      throw new BudgetExceededError(
        `Stopped before exceeding the job's budget of $${budget.toFixed(2)}: spent or committed $${costUsd.toFixed(4)}, the next call would cost about $${estimateUsd.toFixed(4)}`,
      );
    }
    const [row] = await tx('usage')
      .insert({ ...base, cost_usd: estimateUsd })
      .returning('id');
    return row.id as string;
  });
  return {
    settle: async (usage) => {
      await db('usage').where({ id }).update(usage);
    },
    release: async () => {
      await db('usage').where({ id }).delete();
    },
  };
}
