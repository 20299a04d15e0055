import { randomBytes } from 'node:crypto';
import fs, { createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Storage } from '@bolt/data';
import { clusterBinaries } from '../../../scripts/toolchain.mjs';
import { type EmbeddedDb, startEmbeddedPostgres } from '../postgres.ts';
import { apiEnv, type ClusterServers, workerEnv } from './environment.ts';
import { minioService } from './minio.ts';
import { answers, Service, says } from './service.ts';
import {
  ensureNamespace,
  setupTemporalSchema,
  type TemporalPorts,
  temporalServerService,
  temporalUiService,
} from './temporal-server.ts';

export { apiEnv, type ClusterServers, workerEnv } from './environment.ts';
export { Service } from './service.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const boltBin = 'cli/bin/bolt.mjs';
const temporalConfigDir = path.join(repoRoot, 'ops/temporal');

export interface ClusterPorts {
  api: number;
  temporal: TemporalPorts;
  temporalUi: number;
  postgres: number;
  minio: number;
  minioConsole: number;
  /** One per worker: where its /metrics answer. */
  workerMetrics: number[];
}

/** The ports `npm run cluster` uses, the ones docker-compose.yml publishes where it has them. */
export function defaultPorts(workers: number): ClusterPorts {
  return {
    api: 8080,
    // biome-ignore format: a table
    temporal: {
      frontend: 7233, http: 7243, history: 7234, matching: 7235, worker: 7239,
      frontendMembership: 6933, historyMembership: 6934, matchingMembership: 6935, workerMembership: 6939,
      metrics: 8000,
    },
    temporalUi: 8233,
    postgres: 5433,
    minio: 9000,
    minioConsole: 9001,
    workerMetrics: Array.from({ length: workers }, (_, i) => 9464 + i),
  };
}

/**
 * A loopback port nothing listens on, below the kernel's ephemeral range: Temporal keeps its membership
 * ports in a PostgreSQL smallint, and an outgoing connection cannot take one of these meanwhile.
 */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

/** Free loopback ports for every service (tests, or a second cluster beside a first). */
export async function freePorts(workers: number): Promise<ClusterPorts> {
  const taken = new Set<number>();
  const free = async <T extends object>(ports: T): Promise<T> => {
    const entries: Array<[string, number]> = [];
    for (const key of Object.keys(ports)) entries.push([key, await freeLowPort(taken)]);
    return Object.fromEntries(entries) as T;
  };
  const { workerMetrics, temporal, ...single } = defaultPorts(workers);
  const ports = { ...(await free(single)), temporal: await free(temporal), workerMetrics: [] as number[] };
  for (const _ of workerMetrics) ports.workerMetrics.push(await freeLowPort(taken));
  return ports;
}

export interface ClusterOptions {
  /** Everything the cluster keeps: databases, objects, each Bolt process's data directory, logs. */
  dataDir: string;
  ports: ClusterPorts;
  /** More environment for the Bolt processes (provider keys and addresses, log level...). */
  env?: NodeJS.ProcessEnv;
  /** Progress lines ("starting PostgreSQL"...). */
  say?: (line: string) => void;
  /**
   * Start a program again when it exits on its own, as a container's restart policy would: a worker
   * started again retries at once the steps its killed predecessor was running.
   */
  restartOnExit?: boolean;
}

/** Secrets a deployment would keep in its secret store; generated once per cluster directory. */
interface ClusterSecrets {
  jwtSecret: string;
  credentialsKey: string;
  minioUser: string;
  minioPassword: string;
}

function secretsOf(dataDir: string): ClusterSecrets {
  const file = path.join(dataDir, 'secrets.json');
  if (!fs.existsSync(file)) {
    const secrets: ClusterSecrets = {
      jwtSecret: randomBytes(32).toString('base64url'),
      credentialsKey: randomBytes(32).toString('base64'),
      minioUser: 'bolt',
      minioPassword: randomBytes(18).toString('base64url'),
    };
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterSecrets;
}

/** PostgreSQL as a part of the cluster that can be stopped and started again on its port. */
class PostgresPart {
  readonly name = 'postgresql';
  private server?: EmbeddedDb;
  url = '';
  constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly logFile: string,
  ) {}
  async start() {
    this.server = await startEmbeddedPostgres(this.dir, () => {}, this.port, {
      debian: true,
      serverLog: createWriteStream(this.logFile, { flags: 'a' }),
    });
    this.url = this.server.url;
  }
  async stop() {
    await this.server?.stop();
    this.server = undefined;
  }
}

export interface WorkerOptions {
  env?: NodeJS.ProcessEnv;
  /** The root of the Bolt release to run (a rolling upgrade's new code); this checkout by default. */
  release?: string;
}

export interface Cluster {
  ports: ClusterPorts;
  dataDir: string;
  urls: { api: string; temporalUi: string; minioConsole: string };
  temporalAddress: string;
  databaseUrl: string;
  postgres: PostgresPart;
  temporal: Service;
  temporalUi: Service;
  minio: Service;
  api: Service;
  workers: Service[];
  /** Where Bolt's processes find the servers, and the secrets they share. */
  servers: ClusterServers;
  /** A worker process of this cluster, of this checkout or of another release's: not started, stopped with it. */
  worker(name: string, metricsPort: number, options?: WorkerOptions): Service;
  /** Stops everything, Bolt first and the databases last. */
  stop(): Promise<void>;
}

/**
 * The production topology on one machine: PostgreSQL (Debian's), a Temporal server on it (schema set up
 * or upgraded at each start), the Temporal Web UI, MinIO, one API-only Bolt process and workers, each
 * with its own data directory and configured only by environment variables.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { ports, say = () => {} } = options;
  const dataDir = path.resolve(options.dataDir);
  const bins = clusterBinaries();
  if (!bins)
    throw new Error('The cluster’s servers are not built: run `node scripts/prepare.mjs --cluster`.');
  fs.mkdirSync(dataDir, { recursive: true });
  const secrets = secretsOf(dataDir);
  const logOf = (name: string) => path.join(dataDir, 'logs', `${name}.log`);
  fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });

  const started: Array<{ name: string; stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const part of started.reverse()) {
      say(`stopping ${part.name}`);
      await part.stop().catch((err: Error) => say(`${part.name} did not stop cleanly: ${err.message}`));
    }
    started.length = 0;
  };
  /** A part of the cluster: stopped with it, and started again after a crash when asked to. */
  const own = <T extends { name: string; stop(): Promise<void> }>(part: T): T => {
    if (options.restartOnExit && part instanceof Service)
      part.onExit = (how) => {
        say(`${part.name} exited (${how}), starting it again; its log: ${part.spec.logFile}`);
        part.start().catch((err: Error) => say(`${part.name} did not start again: ${err.message}`));
      };
    started.push(part);
    return part;
  };
  const startPart = async <T extends { name: string; start(): Promise<void>; stop(): Promise<void> }>(
    part: T,
  ) => {
    say(`starting ${part.name}`);
    await part.start();
    return own(part);
  };

  try {
    const postgres = await startPart(
      new PostgresPart(path.join(dataDir, 'postgresql'), ports.postgres, logOf('postgresql')),
    );
    const pgUrl = new URL(postgres.url);
    const db = { port: ports.postgres, user: pgUrl.username, password: decodeURIComponent(pgUrl.password) };
    say('setting up the Temporal schema');
    await setupTemporalSchema(bins.sqlTool, bins.schema, db);

    const temporalAddress = `127.0.0.1:${ports.temporal.frontend}`;
    const temporal = await startPart(
      temporalServerService({
        binary: bins.temporalServer,
        configDir: temporalConfigDir,
        db,
        ports: ports.temporal,
        logFile: logOf('temporal'),
      }),
    );
    const namespace = options.env?.TEMPORAL_NAMESPACE ?? 'default';
    await ensureNamespace(temporalAddress, namespace);

    const minio = await startPart(
      minioService({
        binary: bins.minio,
        dataDir: path.join(dataDir, 'minio'),
        port: ports.minio,
        consolePort: ports.minioConsole,
        credentials: { user: secrets.minioUser, password: secrets.minioPassword },
        logFile: logOf('minio'),
      }),
    );
    const urls = {
      api: `http://127.0.0.1:${ports.api}`,
      temporalUi: `http://127.0.0.1:${ports.temporalUi}`,
      minioConsole: `http://127.0.0.1:${ports.minioConsole}`,
    };
    const servers: ClusterServers = {
      temporalAddress,
      namespace,
      temporalUiUrl: urls.temporalUi,
      databaseUrl: postgres.url,
      s3Endpoint: `http://127.0.0.1:${ports.minio}`,
      s3AccessKeyId: secrets.minioUser,
      s3SecretAccessKey: secrets.minioPassword,
      jwtSecret: secrets.jwtSecret,
      credentialsKey: secrets.credentialsKey,
    };
    await new S3Storage({
      bucket: 'bolt',
      endpoint: servers.s3Endpoint,
      region: 'us-east-1',
      accessKeyId: servers.s3AccessKeyId,
      secretAccessKey: servers.s3SecretAccessKey,
      forcePathStyle: true,
    }).ensureBucket();

    const temporalUi = await startPart(
      temporalUiService({
        binary: bins.uiServer,
        configDir: temporalConfigDir,
        frontendPort: ports.temporal.frontend,
        port: ports.temporalUi,
        logFile: logOf('temporal-ui'),
      }),
    );
    /** This process's environment (provider keys...), then what the cluster sets for `role`. */
    const boltEnv = (role: Record<string, string>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      ...process.env,
      ...options.env,
      ...role,
      ...extra,
    });
    const boltService = (
      name: string,
      args: string[],
      env: NodeJS.ProcessEnv,
      ready: (output: string) => Promise<boolean>,
      release = repoRoot,
    ) =>
      new Service({
        name,
        command: process.execPath,
        args: [path.join(release, boltBin), ...args],
        env,
        logFile: logOf(name),
        ready,
      });
    const worker = (name: string, metricsPort: number, { env, release }: WorkerOptions = {}) =>
      boltService(
        name,
        ['worker'],
        boltEnv(
          workerEnv(servers, { dataDir: path.join(dataDir, name), metricsHost: '127.0.0.1', metricsPort }),
          env,
        ),
        says(/Worker polling task queue/),
        release,
      );

    const api = await startPart(
      boltService(
        'api',
        ['start', '--api-only'],
        boltEnv(apiEnv(servers, { dataDir: path.join(dataDir, 'api'), host: '127.0.0.1', port: ports.api })),
        answers(`${urls.api}/readyz`),
      ),
    );
    const workers: Service[] = [];
    for (const [i, metricsPort] of ports.workerMetrics.entries())
      workers.push(await startPart(worker(`worker-${i + 1}`, metricsPort)));

    return {
      ports,
      dataDir,
      urls,
      temporalAddress,
      databaseUrl: postgres.url,
      postgres,
      temporal,
      temporalUi,
      minio,
      api,
      workers,
      servers,
      worker: (name, metricsPort, workerOptions) => own(worker(name, metricsPort, workerOptions)),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
