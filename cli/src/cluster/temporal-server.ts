import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { temporalBinary } from '../../../scripts/toolchain.mjs';
import { answers, Service } from './service.ts';

const run = promisify(execFile);

export interface ClusterDb {
  port: number;
  user: string;
  password: string;
}

/** The Temporal server's ports: one gRPC and one membership port per service, the HTTP API, metrics. */
export interface TemporalPorts {
  frontend: number;
  http: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  metrics: number;
}

/**
 * Creates Temporal's two databases when missing and brings their schemas to the server's version with
 * temporal-sql-tool and the schema files of the server's own module: what the server's auto-setup
 * image does, and what an upgrade runs before the new server starts.
 */
export async function setupTemporalSchema(sqlTool: string, schemaDir: string, db: ClusterDb) {
  // biome-ignore format: one flag and its value per line
  const connect = [
    '--plugin', 'postgres12',
    '--ep', '127.0.0.1',
    '--port', String(db.port),
    '--user', db.user,
  ];
  // The password through the environment: a command line is visible to every user of the machine.
  const env = { ...process.env, SQL_PASSWORD: db.password };
  const tool = async (args: string[]) => {
    try {
      await run(sqlTool, [...connect, ...args], { env });
    } catch (err) {
      const { stderr, stdout } = err as { stderr?: string; stdout?: string };
      throw new Error(
        `temporal-sql-tool ${args.join(' ')} failed: ${(stderr || stdout || String(err)).trim()}`,
      );
    }
  };
  for (const [database, dir] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    await tool(['--db', database, 'create-database']).catch((err: Error) => {
      if (!/already exists/.test(err.message)) throw err;
    });
    await tool(['--db', database, 'setup-schema', '--version', '0.0']);
    await tool(['--db', database, 'update-schema', '--schema-dir', path.join(schemaDir, dir, 'versioned')]);
  }
}

export function temporalServerService(options: {
  binary: string;
  configDir: string;
  db: ClusterDb;
  ports: TemporalPorts;
  logFile: string;
}): Service {
  const { binary, configDir, db, ports, logFile } = options;
  const address = `127.0.0.1:${ports.frontend}`;
  return new Service({
    name: 'temporal',
    command: binary,
    args: [
      '--root',
      path.dirname(configDir),
      '--config',
      path.basename(configDir),
      '--env',
      'cluster',
      '--allow-no-auth',
      'start',
    ],
    env: {
      PATH: process.env.PATH,
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(db.port),
      POSTGRES_USER: db.user,
      POSTGRES_PWD: db.password,
      FRONTEND_GRPC_PORT: String(ports.frontend),
      FRONTEND_HTTP_PORT: String(ports.http),
      FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
      HISTORY_GRPC_PORT: String(ports.history),
      HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
      MATCHING_GRPC_PORT: String(ports.matching),
      MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
      WORKER_GRPC_PORT: String(ports.worker),
      WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
      PROMETHEUS_PORT: String(ports.metrics),
      DYNAMIC_CONFIG_FILE_PATH: path.join(configDir, 'dynamicconfig.yaml'),
    },
    logFile,
    ready: async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return true;
      } finally {
        await connection.close();
      }
    },
  });
}

/** Registers the namespace when it is new, and waits until the server accepts work in it. */
export async function ensureNamespace(address: string, namespace: string, timeoutMs = 60_000) {
  const connection = await Connection.connect({ address });
  try {
    const service = connection.workflowService;
    const exists = await service.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const cli = temporalBinary();
      if (!cli) throw new Error('The Temporal CLI is missing: run `node scripts/prepare.mjs`.');
      // biome-ignore format: one flag and its value per line
      await run(cli, [
        'operator', 'namespace', 'create',
        '--address', address,
        '--namespace', namespace,
        '--retention', '7d',
      ]);
    }
    // A new namespace reaches every service's cache within their refresh interval (about 10 s).
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const usable = await service.listWorkflowExecutions({ namespace, pageSize: 1 }).then(
        () => true,
        () => false,
      );
      if (usable) return;
      if (Date.now() > deadline) throw new Error(`Temporal's namespace "${namespace}" is not usable in time`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await connection.close();
  }
}

/** The Temporal Web UI server (ui-server), against the cluster's frontend. */
export function temporalUiService(options: {
  binary: string;
  configDir: string;
  frontendPort: number;
  port: number;
  logFile: string;
}): Service {
  const { binary, configDir, frontendPort, port, logFile } = options;
  return new Service({
    name: 'temporal-ui',
    command: binary,
    args: ['--root', path.dirname(configDir), '--config', path.basename(configDir), '--env', 'ui', 'start'],
    env: { PATH: process.env.PATH, TEMPORAL_GRPC_PORT: String(frontendPort), UI_PORT: String(port) },
    logFile,
    ready: answers(`http://127.0.0.1:${port}/`),
  });
}
