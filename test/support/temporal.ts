import { createRequire } from 'node:module';
import type { ActivityDeps } from '@bolt/activities';
import type { Config } from '@bolt/core';
import type { Db } from '@bolt/data';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { temporalBinary } from '../../scripts/toolchain.mjs';
import type { FakeProviders } from '../fakes/providers.ts';

const require = createRequire(import.meta.url);
export const workflowsPath = require.resolve('@bolt/workflows');

/** The installed Temporal CLI (set up by scripts/prepare.mjs); tests never download one. */
export function temporalCli(): string {
  const binary = temporalBinary();
  if (!binary) throw new Error('Temporal CLI not installed: run `node scripts/prepare.mjs`');
  return binary;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle() {
  bundle ??= bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  return bundle;
}

export interface DevWorker {
  env: TestWorkflowEnvironment;
  fake: FakeProviders;
  db: Db;
  filesDir: string;
  deps: ActivityDeps;
  /** The configuration the worker's dependencies were built from. */
  config: Config;
  credentialsKey: Buffer;
  /** Stops the worker, then the dev server, the database connection and the fake providers. */
  stop(): Promise<void>;
}

/**
 * The Temporal dev server with one worker on `taskQueue` running the real activities against the
 * fake Gemini, Google Cloud TTS and OpenAI servers; `vars` are added to the fakes' environment.
 */
export async function startDevWorker(opts: {
  taskQueue: string;
  vars?: Record<string, string>;
  worker?: Partial<WorkerOptions>;
}): Promise<DevWorker> {
  // Imported on use: the fast tier imports this file and need not load the real activities, the
  // database driver or the fakes.
  const [
    { createActivities },
    { devServerFlags },
    { loadConfig, serverSecrets },
    { TestWorkflowEnvironment },
    { startFakeProviders },
    { realDeps },
  ] = await Promise.all([
    import('@bolt/activities'),
    import('@bolt/cli'),
    import('@bolt/core'),
    import('@temporalio/testing'),
    import('../fakes/providers.ts'),
    import('./env.ts'),
  ]);
  let fake: FakeProviders | undefined;
  let env: TestWorkflowEnvironment | undefined;
  let db: Db | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const stop = async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await db?.destroy();
    await fake?.close();
  };
  try {
    fake = await startFakeProviders();
    env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: temporalCli() }, extraArgs: devServerFlags },
    });
    const vars = { ...fake.env, ...opts.vars };
    const real = await realDeps(vars);
    db = real.db;
    const config = loadConfig({ BOLT_DATA_DIR: real.filesDir, ...vars });
    const { credentialsKey } = serverSecrets(config);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: opts.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities(real.deps),
      ...opts.worker,
    });
    running = worker.run();
    return {
      env,
      fake,
      db,
      filesDir: real.filesDir,
      deps: real.deps,
      config,
      credentialsKey,
      stop,
    };
  } catch (error) {
    // A failed start leaves nothing running for the next test file.
    await stop().catch(() => {});
    throw error;
  }
}
