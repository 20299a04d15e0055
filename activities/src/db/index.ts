import knex, { type Knex } from 'knex';
import { migrationSource } from './migrations.ts';

export type Db = Knex;
export * from './accounts.ts';
export * from './credentials.ts';
export * from './repo.ts';

export function connectDb(url: string, pool = { min: 0, max: 10 }): Db {
  return knex({ client: 'pg', connection: url, pool });
}

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}
