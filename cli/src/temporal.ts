import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '@bolt/core';
import { Connection } from '@temporalio/client';
import { temporalBinary } from '../../scripts/toolchain.mjs';
import { isAlive } from './postgres.ts';
import { ensurePortFree, reasonFrom, stopOnExit } from './servers.ts';

/** Connection options for Temporal from config: plain, TLS (mTLS with cert + key) or Cloud API key. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: boolean | { clientCertPair: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

export function temporalConnectionOptions(config: Config, address: string): TemporalConnectionOptions {
  const mtls =
    config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY
      ? {
          clientCertPair: {
            crt: fs.readFileSync(config.TEMPORAL_TLS_CERT),
            key: fs.readFileSync(config.TEMPORAL_TLS_KEY),
          },
        }
      : undefined;
  const tls = mtls ?? (config.TEMPORAL_TLS || config.TEMPORAL_API_KEY ? true : undefined);
  return { address, tls, apiKey: config.TEMPORAL_API_KEY };
}

export async function waitForTemporal(config: Config, address: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({
        ...temporalConnectionOptions(config, address),
        connectTimeout: 2_000,
      });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal at ${address} is not reachable: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export interface EmbeddedTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * How Bolt runs a dev server (embedded, and in the tests): quiet; with eager activities, so an
 * activity a workflow schedules goes straight back to the worker that completed the workflow task
 * instead of a round trip through the server's task queue; and with task queue priority and fairness,
 * so queued tasks of interactive jobs go before a batch's, and each user's get an equal share.
 */
// biome-ignore format: one flag and its value per line
export const devServerFlags = [
  '--log-level', 'error',
  '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
  '--dynamic-config-value', 'matching.enableFairness=true',
];

/** `temporal server start-dev` as a child process; history in data/temporal.db so jobs survive restarts. */
export async function startEmbeddedTemporal(config: Config): Promise<EmbeddedTemporal> {
  const binary = temporalBinary();
  if (!binary)
    throw new Error(
      'The Temporal CLI is missing: run `npm start` (it installs it) or put `temporal` on PATH.',
    );
  const address = `127.0.0.1:${config.TEMPORAL_PORT}`;
  const pidFile = path.join(config.dataDir, 'temporal.pid');
  await ensurePortFree(config.TEMPORAL_PORT, '127.0.0.1', 'The Temporal server', 'TEMPORAL_PORT');
  await ensurePortFree(config.TEMPORAL_UI_PORT, '127.0.0.1', 'The Temporal Web UI', 'TEMPORAL_UI_PORT');
  // biome-ignore format: one flag and its value per line
  const child: ChildProcess = spawn(binary, [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(config.TEMPORAL_PORT),
    '--ui-port', String(config.TEMPORAL_UI_PORT),
    '--db-filename', path.join(config.dataDir, 'temporal.db'),
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    '--namespace', config.TEMPORAL_NAMESPACE,
    ...devServerFlags,
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const forget = stopOnExit(child.pid, 'SIGTERM');
  const stderr: string[] = [];
  child.stderr?.on('data', (b: Buffer) => stderr.push(b.toString()));
  if (child.pid) fs.writeFileSync(pidFile, String(child.pid));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      forget();
      resolve();
    }),
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(new Error(`The Temporal server could not run (${binary}): ${err.message}`)),
    );
    void exited.then(() =>
      reject(new Error(`The Temporal server stopped at start: ${reasonFrom(stderr.join(''))}`)),
    );
  });
  failed.catch(() => {}); // an exit after start-up is not a start-up failure
  try {
    await Promise.race([waitForTemporal(config, address), failed]);
  } catch (err) {
    child.kill('SIGKILL');
    fs.rmSync(pidFile, { force: true });
    throw err;
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      fs.rmSync(pidFile, { force: true });
    },
  };
}

/** Stops a Temporal dev server left running by a process that was killed (data/temporal.pid names it). */
export async function stopOrphanTemporal(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'temporal.pid');
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
  if (pid && isAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile, { force: true });
}
