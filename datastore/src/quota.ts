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

/** The keys a request draws from, and the pool's name: the queue keeps one line per pool. */
export interface KeyPool {
  name: string;
  keys: PoolKey[];
}

/** The server's key for a provider, as the queue knows it. */
export const serverKeyId = (provider: CredentialProvider) => `server-${provider}`;

/**
 * A user's keys for a provider as one pool, oldest first, each with its own limits over the provider's
 * defaults; a user with none draws from the server's key (when there is one), shared by everyone else
 * without keys of their own.
 */
export function keyPool(
  provider: CredentialProvider,
  userId: string,
  own: ReadonlyArray<{ id: string; limits: QuotaLimits | null; last4: string }>,
  defaults: QuotaLimits,
  serverKey: boolean,
): KeyPool {
  if (own.length > 0)
    return {
      name: `${provider}:${userId}`,
      keys: own.map((k) => ({ id: k.id, limits: { ...defaults, ...k.limits }, hint: `…${k.last4}` })),
    };
  return {
    name: `${provider}:server`,
    keys: serverKey ? [{ id: serverKeyId(provider), limits: defaults, hint: 'server' }] : [],
  };
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
  model: string;
  need: QuotaNeed;
  /** Keys this request must not be given: the provider refused them for it. */
  avoid?: string[];
}

/** A key for the request and how long to wait before sending it, or how long to wait in line and why. */
export type Turn =
  | { key: string; sendInMs: number }
  | {
      waiterId: number;
      /** First in line: its wait is exact. Others are told when a key is theirs or they come first. */
      first: boolean;
      waitMs: number;
      nextAt: number;
      reason: StepQuota['reason'];
      keyHint: string;
    };

/** A waiter not seen for this long belongs to a step that died: it leaves the queue. */
const STALE_MS = 30_000;
/** When each user and job was last served is kept this long; older turns count as never. */
const TURNS_KEPT_MS = 3_600_000;
/**
 * Slots are handed out this far ahead, so the queue's round trips overlap the pace instead of adding
 * to it; it is also the longest a later interactive request can find slots already given to batch work.
 */
const HORIZON_MS = 200;
/** The most requests one look at the queue hands keys to. */
const MOST_GRANTS = 64;

async function joinQueue(db: Knex, w: Waiter, now: number): Promise<number> {
  const [row] = await db('quota_waiters')
    .insert({
      pool: w.pool,
      provider: w.provider,
      user_id: w.userId,
      job_id: w.jobId ?? null,
      step: w.step ?? null,
      priority: w.priority,
      model: w.model,
      tokens: w.need.tokens ?? 0,
      chars: w.need.chars ?? 0,
      avoid_keys: w.avoid ?? [],
      seen_at: now,
    })
    .returning('id');
  return Number(row.id);
}

/** A waiter gives up its place (its step ended or was cancelled); whoever is first now is told. */
export async function leaveQueue(db: Knex, waiter: { id: number; pool: string }): Promise<void> {
  await db.transaction(async (trx) => {
    if ((await trx('quota_waiters').where({ id: waiter.id }).delete()) === 0) return;
    const [first] = (await queue(trx, waiter.pool)).filter((w) => !w.granted_key);
    if (first) await notify(trx, [first.id]);
  });
}

interface QueuedRow {
  id: string;
  user_id: string;
  job_id: string | null;
  priority: number;
  user_served: number | null;
  job_served: number | null;
  model: string;
  tokens: number;
  chars: number;
  avoid_keys: string[];
  seen_at: number;
  granted_key: string | null;
  granted_at: number | null;
}

/**
 * A pool's waiters in the order they are served: interactive work first, then the user served least
 * recently, then that user's job served least recently, then the oldest. Rows already given a key
 * (waiting to pick it up) come along, for their owners to find.
 */
function queue(db: Knex, pool: string): Promise<QueuedRow[]> {
  return db('quota_waiters as w')
    .leftJoin('quota_turns as u', (j) =>
      j.on('u.pool', 'w.pool').andOn('u.owner', db.raw("'u:' || w.user_id")),
    )
    .leftJoin('quota_turns as j', (j) =>
      j.on('j.pool', 'w.pool').andOn('j.owner', db.raw("'j:' || w.job_id")),
    )
    .where('w.pool', pool)
    .orderByRaw('w.priority, u.served_at nulls first, j.served_at nulls first, w.id')
    .select(
      'w.id',
      'w.user_id',
      'w.job_id',
      'w.priority',
      'u.served_at as user_served',
      'j.served_at as job_served',
      'w.model',
      'w.tokens',
      'w.chars',
      'w.avoid_keys',
      'w.seen_at',
      'w.granted_key',
      'w.granted_at',
    );
}

/** The queue's order, in memory (as `queue` sorts it in SQL). */
const byTurn = (a: QueuedRow, b: QueuedRow) =>
  a.priority - b.priority ||
  (a.user_served ?? -1) - (b.user_served ?? -1) ||
  (a.job_served ?? -1) - (b.job_served ?? -1) ||
  Number(a.id) - Number(b.id);

/** The channel on which the queue tells a waiter, by id, that a key is its or that it is first. */
const TURN_CHANNEL = 'bolt_quota_turn';

async function notify(trx: Knex, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.raw(`select pg_notify(?, id) from unnest(?::text[]) as id`, [TURN_CHANNEL, ids]);
}

const signalsOf = new WeakMap<Knex, ReturnType<typeof listenForTurns>>();

/**
 * Wakes a process's waiters when they come first in line, whichever worker served the one before
 * (PostgreSQL LISTEN on one connection per database handle, closed with it). Without it waiters still
 * wake on their estimates.
 */
export function turnSignals(db: Knex) {
  let signals = signalsOf.get(db);
  if (!signals) {
    signals = listenForTurns(db);
    signalsOf.set(db, signals);
  }
  return signals;
}

function listenForTurns(db: Knex) {
  const told = new Set<number>();
  const wakers = new Map<number, () => void>();
  let listening: Promise<unknown> | undefined;
  let client: { end(): Promise<void> } | undefined;
  let closed = false;
  db.client.pool?.on('poolDestroyRequest', () => {
    closed = true;
    client?.end().catch(() => undefined);
  });
  const listen = () => {
    if (closed) return;
    listening ??= (async () => {
      try {
        const connection = await db.client.acquireRawConnection();
        client = connection;
        const drop = () => {
          listening = undefined;
        };
        connection.on('error', drop);
        connection.on('end', drop);
        connection.on('notification', (n: { payload?: string }) => {
          const id = Number(n.payload);
          told.add(id);
          wakers.get(id)?.();
        });
        await connection.query(`listen ${TURN_CHANNEL}`);
        connection.connection?.stream?.unref?.(); // never keeps the process alive
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

/** A key's pace and one of its rests (a row per rest; none: nulls), as `keyStates` reads them. */
interface KeyStateRow {
  key_id: string;
  requests_at: number | null;
  tokens_at: number;
  chars_at: number;
  day: number;
  day_requests: number;
  model: string | null;
  until: number | null;
}

/** The pool's keys as they stand: each key's pace, and its rests by model (one query). */
async function keyStates(trx: Knex, keys: PoolKey[]) {
  const { rows } = await trx.raw<{ rows: KeyStateRow[] }>(
    `select k.id as key_id, q.requests_at, q.tokens_at, q.chars_at, q.day, q.day_requests, r.model, r.until
       from unnest(?::text[]) as k(id)
       left join key_quotas q on q.key_id = k.id
       left join key_rests r on r.key_id = k.id`,
    [keys.map((k) => k.id)],
  );
  const paces = new Map<string, KeyPace>(
    rows
      .filter((r) => r.requests_at !== null)
      .map((r) => [
        r.key_id,
        {
          requestsAt: r.requests_at as number,
          tokensAt: r.tokens_at,
          charsAt: r.chars_at,
          day: r.day,
          dayRequests: r.day_requests,
          restUntil: 0,
        },
      ]),
  );
  const rests = new Map(
    rows.filter((r) => r.model !== null).map((r) => [`${r.key_id}\n${r.model}`, r.until]),
  );
  return {
    paces,
    /** A key's pace for a request of `model` (its rest for that model included). */
    paceOf: (id: string, model: string): KeyPace => ({
      ...(paces.get(id) ?? idlePace()),
      restUntil: rests.get(`${id}\n${model}`) ?? 0,
    }),
  };
}

/** The key a request of this model and need can have soonest, and when; none when it may have none. */
function soonest(
  state: Awaited<ReturnType<typeof keyStates>>,
  keys: PoolKey[],
  request: { model: string; need: QuotaNeed; avoid: readonly string[] },
  now: number,
) {
  const [best] = keys
    .filter((key) => !request.avoid.includes(key.id))
    .map((key) => ({
      key,
      ...availableAt(state.paceOf(key.id, request.model), key.limits, request.need, now),
    }))
    .sort((a, b) => a.at - b.at);
  return best;
}

/**
 * One look at the queue, under the pool's lock. Keys are handed out in the queue's order (interactive
 * work before batch, then the user served least recently, then that user's job served least recently)
 * to every waiter whose slot falls within the next HORIZON_MS, each told by a signal; a waiter whose
 * key is handed out goes, its owner sleeping until its slot. A request that cannot have one yet keeps
 * a row (`waiterId`) saying what it waits for. Times are the database's, so every worker agrees.
 */
export async function takeTurn(db: Knex, waiter: Waiter & { id?: number }, keys: PoolKey[]): Promise<Turn> {
  const { pool } = waiter;
  // A waiter handed its key picks it up without the pool's lock.
  if (waiter.id !== undefined) {
    const { rows } = await db.raw<{ rows: Array<{ key: string; send_in_ms: number }> }>(
      `delete from quota_waiters where id = ? and granted_key is not null
       returning granted_key as key, granted_at - extract(epoch from clock_timestamp()) * 1000 as send_in_ms`,
      [waiter.id],
    );
    const [granted] = rows;
    if (granted) return { key: granted.key, sendInMs: Math.max(0, Number(granted.send_in_ms)) };
  }
  return db.transaction(async (trx) => {
    const now = Number(
      (
        await trx.raw<{ rows: [{ now: number }] }>(
          'select pg_advisory_xact_lock(hashtextextended(?, 1)), extract(epoch from clock_timestamp()) * 1000 as now',
          [pool],
        )
      ).rows[0].now,
    );
    let line = await queue(trx, pool);
    const stale = line.filter((w) => w.seen_at < now - STALE_MS).map((w) => w.id);
    if (stale.length > 0) {
      await trx('quota_waiters').whereIn('id', stale).delete();
      line = line.filter((w) => !stale.includes(w.id));
    }
    let waiterId = waiter.id;
    const mine = line.find((w) => Number(w.id) === waiterId);
    if (mine?.granted_key) {
      await trx('quota_waiters').where({ id: waiterId }).delete();
      return { key: mine.granted_key, sendInMs: Math.max(0, (mine.granted_at ?? now) - now) };
    }
    if (!mine) waiterId = undefined; // its row was dropped as stale: it asks again as a newcomer
    const waiting = line.filter((w) => !w.granted_key);
    // A first look at an empty queue needs no row unless it has to wait.
    if (waiterId === undefined && waiting.length > 0) {
      waiterId = await joinQueue(trx, waiter, now);
      return takeTurnAs(trx, now, waiter, waiterId, await queue(trx, pool), keys);
    }
    return takeTurnAs(trx, now, waiter, waiterId, line, keys);
  });
}

/** Hands out keys down the line (the caller's request at its head when it has no row), then answers the caller. */
async function takeTurnAs(
  trx: Knex,
  now: number,
  waiter: Waiter,
  waiterId: number | undefined,
  line: QueuedRow[],
  keys: PoolKey[],
): Promise<Turn> {
  const { pool } = waiter;
  const waiting: QueuedRow[] =
    waiterId === undefined
      ? [
          {
            id: '',
            user_id: waiter.userId,
            job_id: waiter.jobId ?? null,
            priority: waiter.priority,
            user_served: null,
            job_served: null,
            model: waiter.model,
            tokens: waiter.need.tokens ?? 0,
            chars: waiter.need.chars ?? 0,
            avoid_keys: waiter.avoid ?? [],
            seen_at: now,
            granted_key: null,
            granted_at: null,
          },
        ]
      : line.filter((w) => !w.granted_key);
  const state = await keyStates(trx, keys);
  const grants: Array<{ w: QueuedRow; key: string; at: number }> = [];
  const touched = new Set<string>();
  // The line as it will be after each grant: whoever was just served goes behind the others.
  const left = [...waiting];
  while (grants.length < MOST_GRANTS && left.length > 0) {
    const w = left[0] as QueuedRow;
    const need = { tokens: w.tokens, chars: w.chars };
    const best = soonest(state, keys, { model: w.model, need, avoid: w.avoid_keys }, now);
    // A waiter refused every key this look knows of is answered when it looks with its own keys.
    if (!best || best.at > now + HORIZON_MS) break;
    const at = Math.max(best.at, now);
    state.paces.set(best.key.id, take(state.paceOf(best.key.id, w.model), best.key.limits, need, at));
    touched.add(best.key.id);
    grants.push({ w, key: best.key.id, at });
    left.shift();
    const turn = now + grants.length / 1000; // later grants of one look count as served later
    for (const o of left) {
      if (o.user_id === w.user_id) o.user_served = turn;
      if (o.job_id !== null && o.job_id === w.job_id) o.job_served = turn;
    }
    left.sort(byTurn);
  }
  if (touched.size > 0)
    await trx('key_quotas')
      .insert(
        [...touched].map((id) => {
          const p = state.paces.get(id) as KeyPace;
          return {
            key_id: id,
            requests_at: p.requestsAt,
            tokens_at: p.tokensAt,
            chars_at: p.charsAt,
            day: p.day,
            day_requests: p.dayRequests,
          };
        }),
      )
      .onConflict('key_id')
      .merge();
  const own = grants.find((g) => g.w.id === String(waiterId ?? ''));
  // Uncontended: nobody else is in line, so the order of turns cannot matter and nobody is told.
  if (waiterId === undefined && own) return { key: own.key, sendInMs: own.at - now };

  const others = grants.filter((g) => g !== own);
  if (others.length > 0)
    await trx.raw(
      `update quota_waiters as w set granted_key = g.key, granted_at = g.at::float8, seen_at = ?
         from (select unnest(?::bigint[]) as id, unnest(?::text[]) as key, unnest(?::float8[]) as at) as g
        where w.id = g.id`,
      [now, others.map((g) => g.w.id), others.map((g) => g.key), others.map((g) => g.at)],
    );
  if (own) await trx('quota_waiters').where({ id: waiterId }).delete();
  if (grants.length > 0)
    await served(
      trx,
      pool,
      grants.map((g) => g.w),
      now,
    );
  const first = left[0];
  // Those given a key look now; so does the one now first, to sleep until its own slot.
  await notify(trx, [
    ...others.map((g) => g.w.id),
    ...(first && first.id !== String(waiterId) ? [first.id] : []),
  ]);
  if (own) return { key: own.key, sendInMs: own.at - now };

  // Still waiting: about one pool interval per waiter ahead, after the soonest key is free.
  const rank = Math.max(
    0,
    left.findIndex((w) => w.id === String(waiterId)),
  );
  const best = soonest(state, keys, { ...waiter, avoid: waiter.avoid ?? [] }, now);
  if (!best) throw new Error('a request is never left without a key to wait for');
  const perMinute = keys.reduce((n, k) => n + (k.limits.rpm ?? 0), 0);
  const behind = perMinute > 0 ? (rank * 60_000) / perMinute : 0;
  const nextAt = Math.max(best.at, now) + behind;
  const reason = rank > 0 && best.reason === 'pace' ? 'queue' : best.reason;
  const id = waiterId ?? (await joinQueue(trx, waiter, now));
  await trx('quota_waiters')
    .where({ id })
    .update({ seen_at: now, next_at: nextAt, reason, key_hint: best.key.hint });
  return {
    waiterId: id,
    first: rank === 0,
    // The first wakes when its slot comes within reach; it is then handed its key.
    waitMs: Math.max(1, Math.ceil(rank === 0 ? best.at - HORIZON_MS - now : nextAt - now)),
    nextAt,
    reason,
    keyHint: best.key.hint,
  };
}

/**
 * The users and jobs just served, in the order they were, go behind the others; turns older than
 * TURNS_KEPT_MS are forgotten.
 */
async function served(trx: Knex, pool: string, waiters: QueuedRow[], now: number): Promise<void> {
  const turns = new Map<string, number>();
  waiters.forEach((w, i) => {
    const turn = now + (i + 1) / 1000; // as the walk in takeTurnAs counts them
    turns.set(`u:${w.user_id}`, turn);
    if (w.job_id) turns.set(`j:${w.job_id}`, turn);
  });
  await trx.raw(
    `with served as (
       insert into quota_turns (pool, owner, served_at) select ?, unnest(?::text[]), unnest(?::float8[])
       on conflict (pool, owner) do update set served_at = excluded.served_at
     )
     delete from quota_turns where pool = ? and served_at < ?`,
    [pool, [...turns.keys()], [...turns.values()], pool, now - TURNS_KEPT_MS],
  );
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
