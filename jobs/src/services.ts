import type { Config } from '@bolt/core';
import type { Logger } from '@bolt/core/log';
import type { Db, Storage } from '@bolt/data';
import type { Client } from '@temporalio/client';

/** What job operations need: the app database, the Temporal client and the configuration. */
export interface JobServices {
  db: Db;
  client: Client;
  config: Config;
}

/** Operations on a job's files (edits, deletion) need its storage too. */
export type WithStorage = JobServices & { storage: Storage };

/** The live stream reports the failures it cannot send on. */
export type WithLog = JobServices & { log: Logger };
