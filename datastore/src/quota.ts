import {
  availableAt,
  type CredentialProvider,
  idlePace,
  type KeyPace,
  type QuotaLimits,
  type QuotaNeed,
  type StepQuota,
  take,
} from '@bolt/core';
import type { Knex } from 'knex';

/** One key of a pool: its id, its limits, and how the timeline names it ("…1234" or "server"). */
export interface PoolKey {
  id: string;
  limits: QuotaLimits;
  hint: string;
}

/** A request waiting for a key of `pool` (a user's keys for a provider, or the server's). */
export interface Waiter {
  pool: string;
  provider: CredentialProvider;
  userId: string;
  jobId?: string;
  step?: string;
  /** 0 goes first (a block edit, a preview, a single job), then 1 (batch work). */
  priority: number;
}

/** The key to use now, or how long to wait before asking again and why. */
export type Turn =
  | { key: string }
  | { waiterId: number; waitMs: number; nextAt: number; reason: StepQuota['reason']; keyHint: string };

/** A waiter not seen for this long belongs to a step that died: it leaves the queue. */
const STALE_MS = 30_000;
/** When each user and job was last served is kept this long; older turns count as never. */
const TURNS_KEPT_MS = 3_600_000;

async function joinQueue(db: Knex, w: Waiter, now: number): Promise<number> {
  const [row] = await db('quota_waiters')
    .insert({
      pool: w.pool,
      provider: w.provider,
      user_id: w.userId,
      job_id: w.jobId ?? null,
      step: w.step ?? null,
      priority: w.priority,
      seen_at: now,
    })
    .returning('id');
  return Number(row.id);
}

export async function leaveQueue(db: Knex, id: number): Promise<void> {
  await db('quota_waiters').where({ id }).delete();
}

/**
 * A pool's waiters in the order they are served: interactive work first, then the user served least
 * recently, then that user's job served least recently, then the oldest.
 */
function queue(db: Knex, pool: string) {
  return db('quota_waiters as w')
    .leftJoin('quota_turns as u', (j) =>
      j.on('u.pool', 'w.pool').andOn('u.owner', db.raw("'u:' || w.user_id")),
    )
    .leftJoin('quota_turns as j', (j) =>
      j.on('j.pool', 'w.pool').andOn('j.owner', db.raw("'j:' || w.job_id")),
    )
    .where('w.pool', pool)
    .orderByRaw('w.priority, u.served_at nulls first, j.served_at nulls first, w.id')
    .select<Array<{ id: string; user_id: string; job_id: string | null }>>('w.id', 'w.user_id', 'w.job_id');
}

/** The channel on which the queue tells a waiter, by id, that it is first in line. */
const TURN_CHANNEL = 'bolt_quota_turn';

/**
 * Wakes a process's waiters when they come first in line, whichever worker served the one before
 * (PostgreSQL LISTEN on one connection per process). Without it waiters still wake on their estimates.
 */
export function turnSignals(db: Knex) {
  const told = new Set<number>();
  const wakers = new Map<number, () => void>();
  let listening: Promise<unknown> | undefined;
  const listen = () => {
    listening ??= (async () => {
      try {
        const client = await db.client.acquireRawConnection();
        const drop = () => {
          listening = undefined;
        };
        client.on('error', drop);
        client.on('end', drop);
        client.on('notification', (n: { payload?: string }) => {
          const id = Number(n.payload);
          told.add(id);
          wakers.get(id)?.();
        });
        await client.query(`listen ${TURN_CHANNEL}`);
        client.connection?.stream?.unref?.(); // never keeps the process alive
      } catch {
        listening = undefined;
      }
    })();
    return listening;
  };
  return {
    /** Waits `ms` with `sleep`, or less when waiter `id` is told it is first in line. */
    async wait(id: number, ms: number, sleep: (ms: number) => Promise<void>): Promise<void> {
      await listen();
      if (told.delete(id)) return;
      const woken = new Promise<void>((resolve) => wakers.set(id, resolve));
      try {
        await Promise.race([sleep(ms), woken]);
      } finally {
        wakers.delete(id);
        told.delete(id);
      }
    },
    /** Forgets a waiter that left the queue. */
    forget(id: number) {
      told.delete(id);
    },
  };
}

interface PaceRow {
  key_id: string;
  requests_at: number;
  tokens_at: number;
  chars_at: number;
  day: number;
  day_requests: number;
}

/**
 * One look at the queue, under the pool's lock: when the waiter is first in line (interactive work
 * before batch, then the user served least recently, then that user's job served least recently) and a
 * key is free, the key is taken and the waiter leaves the queue; otherwise its row (`waiterId`, made on
 * its first look unless the queue was empty and a key free) says what it waits for. Times are the
 * database's, so every worker agrees on them.
 */
export async function takeTurn(
  db: Knex,
  waiter: Waiter & { id?: number },
  keys: PoolKey[],
  model: string,
  need: QuotaNeed,
): Promise<Turn> {
  const { pool } = waiter;
  return db.transaction(async (trx) => {
    const now = Number(
      (
        await trx.raw<{ rows: [{ now: number }] }>(
          'select pg_advisory_xact_lock(hashtextextended(?, 1)), extract(epoch from clock_timestamp()) * 1000 as now',
          [pool],
        )
      ).rows[0].now,
    );
    await trx('quota_waiters')
      .where('pool', pool)
      .andWhere('seen_at', '<', now - STALE_MS)
      .delete();
    let line = await queue(trx, pool);
    let waiterId = waiter.id;
    // A first look at an empty queue needs no row unless it has to wait.
    if (waiterId === undefined && line.length > 0) {
      waiterId = await joinQueue(trx, waiter, now);
      line = await queue(trx, pool);
    }
    const rank = waiterId === undefined ? 0 : line.findIndex((w) => Number(w.id) === waiterId);
    if (rank < 0) throw new Error(`quota waiter ${waiterId} is not in the queue of ${pool}`);

    const ids = keys.map((k) => k.id);
    const paces = new Map<string, PaceRow>(
      (await trx('key_quotas').whereIn('key_id', ids)).map((r: PaceRow) => [r.key_id, r]),
    );
    const rests = new Map<string, number>(
      (await trx('key_rests').whereIn('key_id', ids).andWhere({ model })).map(
        (r: { key_id: string; until: number }) => [r.key_id, r.until],
      ),
    );
    const paceOf = (id: string): KeyPace => {
      const r = paces.get(id);
      const restUntil = rests.get(id) ?? 0;
      if (!r) return { ...idlePace(), restUntil };
      return {
        requestsAt: r.requests_at,
        tokensAt: r.tokens_at,
        charsAt: r.chars_at,
        day: r.day,
        dayRequests: r.day_requests,
        restUntil,
      };
    };
    const [best] = keys
      .map((key) => ({ key, pace: paceOf(key.id), ...availableAt(paceOf(key.id), key.limits, need, now) }))
      .sort((a, b) => a.at - b.at);
    if (!best) throw new Error(`no keys in ${pool}`);

    if (rank === 0 && best.at <= now) {
      const p = take(best.pace, best.key.limits, need, now);
      await trx('key_quotas')
        .insert({
          key_id: best.key.id,
          requests_at: p.requestsAt,
          tokens_at: p.tokensAt,
          chars_at: p.charsAt,
          day: p.day,
          day_requests: p.dayRequests,
        })
        .onConflict('key_id')
        .merge();
      if (waiterId !== undefined) await trx('quota_waiters').where({ id: waiterId }).delete();
      const turns = [{ pool, owner: `u:${waiter.userId}`, served_at: now }];
      if (waiter.jobId) turns.push({ pool, owner: `j:${waiter.jobId}`, served_at: now });
      await trx('quota_turns').insert(turns).onConflict(['pool', 'owner']).merge();
      await trx('quota_turns')
        .where('pool', pool)
        .andWhere('served_at', '<', now - TURNS_KEPT_MS)
        .delete();
      // The next in line may be asleep on an older estimate: it is told to look now.
      const [next] = await queue(trx, pool).limit(1);
      if (next) await trx.raw('select pg_notify(?, ?)', [TURN_CHANNEL, String(next.id)]);
      return { key: best.key.id };
    }

    // Behind others: about one pool interval per waiter ahead, after the soonest key is free.
    const perMinute = keys.reduce((n, k) => n + (k.limits.rpm ?? 0), 0);
    const behind = perMinute > 0 ? (rank * 60_000) / perMinute : 0;
    const nextAt = Math.max(best.at, now) + behind;
    const reason = rank > 0 && best.reason === 'pace' ? 'queue' : best.reason;
    waiterId ??= await joinQueue(trx, waiter, now);
    await trx('quota_waiters')
      .where({ id: waiterId })
      .update({ seen_at: now, next_at: nextAt, reason, key_hint: best.key.hint });
    return {
      waiterId,
      waitMs: Math.max(1, Math.ceil(nextAt - now)),
      nextAt,
      reason,
      keyHint: best.key.hint,
    };
  });
}

/** The provider throttled `keyId` for `model`: no request of that model uses it until `untilMs`. */
export async function restKey(db: Knex, keyId: string, model: string, restMs: number): Promise<void> {
  await db.raw(
    `insert into key_rests (key_id, model, until)
     values (?, ?, extract(epoch from clock_timestamp()) * 1000 + ?)
     on conflict (key_id, model) do update set until = greatest(key_rests.until, excluded.until)`,
    [keyId, model, restMs],
  );
}

/** Moves a key's token pace by `ms` (a text call used fewer or more tokens than it reserved). */
export async function correctTokenPace(db: Knex, keyId: string, ms: number): Promise<void> {
  if (ms !== 0) await db('key_quotas').where({ key_id: keyId }).increment('tokens_at', ms);
}

/** What each of a job's waiting steps waits for, by step id. */
export async function quotaWaitsOf(db: Knex, jobId: string): Promise<Map<string, StepQuota>> {
  const rows: Array<{
    step: string;
    provider: CredentialProvider;
    key_hint: string | null;
    reason: StepQuota['reason'] | null;
    next_at: number | null;
  }> = await db('quota_waiters')
    .where({ job_id: jobId })
    .whereNotNull('step')
    .whereNotNull('next_at')
    .andWhere('seen_at', '>', Date.now() - STALE_MS)
    .select('step', 'provider', 'key_hint', 'reason', 'next_at');
  return new Map(
    rows.map((r) => [
      r.step,
      {
        provider: r.provider,
        key: r.key_hint ?? '',
        reason: r.reason ?? 'queue',
        nextAt: new Date(r.next_at ?? Date.now()).toISOString(),
      },
    ]),
  );
}
