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

/** Operations that also touch files (edits, deletion) or report failures (the live stream). */
export interface JobFileServices extends JobServices {
  storage: Storage;
  log: Logger;
}
