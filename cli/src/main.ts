import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { createApp } from '@bolt/api';
import { ConfigError, loadConfig, loadEnvFile } from '@bolt/core';
import { clusterCommand } from './cluster/command.ts';
import { runJob } from './run.ts';
import { openStack, publishStack, runningStack } from './stack.ts';
import { installRuntime, installTracing } from './telemetry.ts';

const USAGE = `Usage:
  bolt start [--api-only]     run the whole product (embedded Temporal, PostgreSQL, worker, API on :8080)
  bolt worker                 run a worker alone, for the running stack or the configured servers
  bolt cluster                the production topology on this machine: Temporal server on PostgreSQL,
                              MinIO, Temporal Web UI, an API-only process and two workers (data/cluster)
  bolt run --agent <name|file> --title "…" [--variations N] [--languages pt-BR,en-US] [--out DIR] [--json]
                              run one job and write its scripts and MP3s to DIR (default: out/)`;

class UsageError extends Error {}

function onShutdown(stop: () => Promise<void>) {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal}: stopping…\n`);
      stop().then(
        () => process.exit(0),
        (err) => {
          process.stderr.write(`${err}\n`);
          process.exit(1);
        },
      );
    });
  }
}

/**
 * Until the stack's own orderly stop is in place, SIGINT or SIGTERM end the process at once: the servers
 * started so far get their stop signal as it exits (see servers.ts). Returns the function that removes
 * this handler.
 */
function exitOnSignal(): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      process.stderr.write(`\n${signal}: stopping…\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once(signal, handler);
    return () => process.removeListener(signal, handler);
  });
  return () => {
    for (const remove of handlers) remove();
  };
}

async function start(args: string[]) {
  const { values } = parseArgs({ args, options: { 'api-only': { type: 'boolean', default: false } } });
  const config = loadConfig();
  const other = runningStack(config);
  if (other) throw new Error(`Bolt is already running on ${config.dataDir} (pid ${other.pid}).`);
  const starting = exitOnSignal();
  const stack = await openStack(config, {
    worker: !(values['api-only'] || config.BOLT_API_ONLY),
    join: false,
  });
  let server: Server | undefined;
  let unpublish: () => void;
  const apiUrl = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  try {
    const listening = createApp(stack).listen(config.PORT, config.HOST);
    server = listening;
    await new Promise<void>((resolve, reject) =>
      listening
        .once('listening', resolve)
        .once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE'
              ? new Error(
                  `The web app and API: port ${config.PORT} on ${config.HOST} is in use; stop what listens there or set PORT.`,
                )
              : err,
          ),
        ),
    );
    unpublish = publishStack(config, {
      pid: process.pid,
      temporalAddress: stack.temporalAddress,
      temporalUiUrl: stack.temporalUiUrl,
      databaseUrl: stack.databaseUrl,
      apiUrl,
    });
  } catch (err) {
    // Nothing started stays behind: the worker, PostgreSQL and Temporal stop before the error is told.
    server?.close();
    await stack.stop();
    throw err;
  }
  process.stderr.write(
    `${[
      'Bolt is running.',
      `  Web app and API   ${apiUrl}`,
      `  Temporal          ${stack.temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`,
      stack.temporalUiUrl ? `  Temporal Web UI   ${stack.temporalUiUrl}` : '',
      `  Data              ${config.dataDir}`,
      'Run a job: npx bolt run --agent "Histórias que Marcam" --title "A ponte de Alcântara" --out out/',
      'Stop with Ctrl-C.',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n')}\n`,
  );
  starting();
  onShutdown(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await stack.stop();
    unpublish();
  });
}

async function worker() {
  const config = loadConfig();
  if (!runningStack(config) && !(config.TEMPORAL_ADDRESS && config.DATABASE_URL)) {
    throw new Error(
      'No running stack on this data directory: start one with `npm start`, or set TEMPORAL_ADDRESS and DATABASE_URL.',
    );
  }
  const stack = await openStack(config, { worker: true, join: true });
  process.stderr.write(
    `Worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${stack.temporalAddress}.\n`,
  );
  onShutdown(stack.stop);
  await stack.workerDone;
}

async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      agent: { type: 'string' },
      title: { type: 'string' },
      variations: { type: 'string', default: '1' },
      languages: { type: 'string' },
      out: { type: 'string', default: 'out' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.agent || !values.title) throw new UsageError('bolt run needs --agent and --title');
  const config = loadConfig();
  const joined = runningStack(config);
  exitOnSignal(); // a stack of its own stops with the process
  const stack = await openStack(config, { worker: !joined, join: true });
  try {
    const result = await runJob(stack, {
      agent: values.agent,
      title: values.title,
      variations: Number(values.variations),
      languages: values.languages
        ?.split(',')
        .map((l) => l.trim())
        .filter(Boolean),
      out: values.out,
      json: values.json,
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.status === 'completed') {
      process.stderr.write(`Done. Files:\n${result.files.map((f) => `  ${f}\n`).join('')}`);
      if (result.quality) process.stderr.write(`Quality: ${result.quality.summary}\n`);
    }
    if (result.status !== 'completed') {
      process.stderr.write(`Job ${result.jobId} ${result.status}: ${result.error ?? 'unknown error'}\n`);
      process.exitCode = 1;
    }
  } finally {
    await stack.stop();
  }
}

/** Metrics and traces, set up before any worker or connection: what this process runs names it. */
async function observe(command: string | undefined, args: string[]) {
  if (command !== 'start' && command !== 'worker' && command !== 'run') {
    await installRuntime(false);
    return;
  }
  const config = loadConfig();
  const apiOnly = command === 'start' && (args.includes('--api-only') || config.BOLT_API_ONLY);
  await installRuntime(command === 'worker' || (command === 'start' && !apiOnly));
  const role = command === 'worker' ? 'worker' : command === 'run' ? 'run' : apiOnly ? 'api' : 'all';
  installTracing(config, { serviceName: role === 'all' ? 'bolt' : `bolt-${role}` });
}

async function main() {
  loadEnvFile();
  const [command, ...args] = process.argv.slice(2);
  await observe(command, args);
  switch (command) {
    case 'start':
      return start(args);
    case 'worker':
      return worker();
    case 'run':
      return run(args);
    case 'cluster':
      return clusterCommand();
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`bolt: ${err.message}\n\n${USAGE}\n`);
  else if (err instanceof ConfigError) process.stderr.write(`bolt: ${err.message}\n`);
  else process.stderr.write(`bolt: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
