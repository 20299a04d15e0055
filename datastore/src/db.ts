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
