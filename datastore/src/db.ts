import knex, { type Knex } from 'knex';
import { migrationSource } from './migrations.ts';

export type Db = Knex;

export function connectDb(url: string, pool = { min: 0, max: 10 }): Db {
  // Fail fast while the database is down (callers answer 503) instead of queueing for a minute.
  return knex({ client: 'pg', connection: url, pool, acquireConnectionTimeout: 5_000 });
}

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

/** How often a process waiting for another's `oneAtATime` work looks again. */
const LOCK_POLL_MS = 200;

/**
 * Runs `work` while no other process (any worker on this database) runs work of the same `name`: a
 * PostgreSQL advisory lock held for the duration, in a transaction of its own. A waiter holds no
 * connection: it tries again every LOCK_POLL_MS. For short work only, such as one provider call whose
 * answer the next holder finds in the cache.
 */
export async function oneAtATime<T>(db: Db, name: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    const done = await db.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: Array<{ locked: boolean }> }>(
        'select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked',
        [name],
      );
      return rows[0]?.locked ? { value: await work() } : undefined;
    });
    if (done) return done.value;
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}
