import fs from 'node:fs';
import path from 'node:path';
import {
  type ActivityDeps,
  createActivities,
  engines,
  ffmpegPaths,
  keyRing,
  LocalLlmProvider,
  logFields,
  parseProviderLimits,
} from '@bolt/activities';
import { type Config, parseRateLimits, priceTable, serverKeys, serverSecrets } from '@bolt/core';
import { createLogger, type Logger } from '@bolt/core/log';
import { connectDb, createStorage, type Db, ensureLocalUser, migrate, type Storage } from '@bolt/data';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { localModelPath } from '../../scripts/toolchain.mjs';
import { seedExampleAgents } from './examples.ts';
import { isAlive, startEmbeddedPostgres, stopOrphanPostgres } from './postgres.ts';
import { activeTracing, metricsText, serveMetrics } from './telemetry.ts';
import { startEmbeddedTemporal, stopOrphanTemporal, temporalConnectionOptions } from './temporal.ts';
import { retryLostSteps, startWorker } from './worker.ts';

/** What a running `bolt start` publishes in data/stack.json so `bolt worker` and `bolt run` can join it. */
export interface StackInfo {
  pid: number;
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseUrl: string;
  apiUrl?: string;
}

const stackFile = (config: Config) => path.join(config.dataDir, 'stack.json');

/** The running stack of this data directory, if its process is alive. */
export function runningStack(config: Config): StackInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(stackFile(config), 'utf8')) as StackInfo;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export interface Stack {
  config: Config;
  log: Logger;
  db: Db;
  storage: Storage;
  client: Client;
  ownerId: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseUrl: string;
  /** This process's Prometheus metrics (the API serves them at /metrics). */
  metricsText: () => Promise<string>;
  /** Stops in order: worker drained, then connections, then the embedded servers. */
  stop(): Promise<void>;
  /** Resolves when the worker stops (immediately when there is none). */
  workerDone: Promise<void>;
}

export interface StackOptions {
  /** Run a worker in this process. */
  worker: boolean;
  /** Use the servers of the stack already running on this data directory, if any. */
  join: boolean;
}

export function activityDeps(config: Config, db: Db, storage: Storage, log: Logger): ActivityDeps {
  const modelPath = localModelPath();
  if (!modelPath)
    throw new Error('The local model is missing: run `npm start` (it fetches it) or set BOLT_LOCAL_MODEL.');
  return {
    db,
    storage,
    log,
    audio: ffmpegPaths({ ffmpeg: config.FFMPEG_PATH }),
    maxTokensPerBlock: config.BOLT_LOCAL_MAX_TOKENS,
    maxWordErrorRate: config.BOLT_MAX_WER,
    prices: priceTable(config.BOLT_PRICES),
    engines: engines(config, new LocalLlmProvider({ modelPath, threads: config.BOLT_LLM_THREADS })),
    keys: keyRing({
      db,
      credentialsKey: serverSecrets(config).credentialsKey,
      serverKeys: serverKeys(config),
      limits: parseRateLimits(config.BOLT_RATE_LIMITS),
      concurrency: parseProviderLimits(config.BOLT_PROVIDER_CONCURRENCY),
    }),
  };
}

/**
 * Brings up (or joins) everything a job needs. Each embedded piece is replaced by configuration through
 * the same code: TEMPORAL_ADDRESS, DATABASE_URL, S3_*.
 */
export async function openStack(config: Config, options: StackOptions): Promise<Stack> {
  // Lines written inside an activity carry its job, workflow and trace ids.
  const log = createLogger(config.BOLT_LOG_LEVEL, 'bolt', logFields);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const joined = options.join ? runningStack(config) : undefined;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err) => log.error({ err }, 'error while stopping'));
  };
  // Last to stop: the spans of everything before it are sent.
  const tracing = activeTracing();
  if (tracing) stops.push(() => tracing.processor.forceFlush());

  try {
    let temporalAddress = config.TEMPORAL_ADDRESS ?? joined?.temporalAddress;
    let temporalUiUrl = config.TEMPORAL_UI_URL ?? joined?.temporalUiUrl;
    if (!temporalAddress) {
      log.info('starting the embedded Temporal server');
      await stopOrphanTemporal(config.dataDir);
      const temporal = await startEmbeddedTemporal(config);
      stops.push(temporal.stop);
      temporalAddress = temporal.address;
      temporalUiUrl ??= temporal.uiUrl;
    }

    let databaseUrl = config.DATABASE_URL ?? joined?.databaseUrl;
    if (!databaseUrl) {
      log.info('starting the embedded PostgreSQL server');
      await stopOrphanPostgres(config.dataDir);
      const pg = await startEmbeddedPostgres(config.dataDir, (msg) => log.warn(msg));
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }

    const db = connectDb(databaseUrl);
    stops.push(() => db.destroy());
    await migrate(db);
    const ownerId = await ensureLocalUser(db);
    await seedExampleAgents(db, ownerId);

    const storage = createStorage(config);
    const connection = await Connection.connect(temporalConnectionOptions(config, temporalAddress));
    stops.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      // A job's trace goes on from the request that starts it into its workflow, through the headers.
      ...(tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
    });

    let workerDone: Promise<void> = Promise.resolve();
    if (options.worker) {
      const worker = await startWorker(
        config,
        temporalAddress,
        createActivities(activityDeps(config, db, storage, log)),
      );
      stops.push(worker.stop);
      workerDone = worker.done;
      if (config.BOLT_METRICS_PORT !== undefined) {
        const server = await serveMetrics(config.BOLT_METRICS_HOST, config.BOLT_METRICS_PORT);
        stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      }
      // Only saves waiting: steps it cannot reach are still retried after their heartbeat timeout.
      await retryLostSteps(client, config.TEMPORAL_TASK_QUEUE, log).catch((err) =>
        log.warn({ err }, 'could not look for steps a killed worker left running'),
      );
    }
    return {
      config,
      log,
      db,
      storage,
      client,
      ownerId,
      temporalAddress,
      temporalUiUrl,
      databaseUrl,
      metricsText,
      workerDone,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Records this process as the data directory's stack; refuses when another live process holds it. */
export function publishStack(config: Config, info: StackInfo): () => void {
  const other = runningStack(config);
  if (other && other.pid !== process.pid)
    throw new Error(`Bolt is already running on ${config.dataDir} (pid ${other.pid}).`);
  fs.writeFileSync(stackFile(config), JSON.stringify(info, null, 2), { mode: 0o600 });
  return () => fs.rmSync(stackFile(config), { force: true });
}
