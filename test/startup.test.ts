import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, postmasterPid, ROOT_CLUSTERS_DIR, ROOT_PROGRAMS_DIR, type StackInfo } from '@bolt/cli';
import { connectDb } from '@bolt/data';
import { afterAll, describe, expect, it } from 'vitest';
import { type BoltProcess, bolt, boltEnv } from './support/bolt.ts';
import { repoRoot } from './support/env.ts';

// `npm start` as a new user meets it: from a checkout root alone can enter, and when start-up fails
// half-way. Every server binds 127.0.0.1, on ports of its own.

const RUNNING = /Bolt is running\./;
const asRoot = process.getuid?.() === 0;

/** The process's exit code, or 'still running' a minute later. */
const exitCode = (p: BoltProcess) => Promise.race([p.exited, sleep(60_000).then(() => 'still running')]);

/** The one line Bolt explains a failed start with; no stack trace, no unhandled 'error' event. */
function failureLine(p: BoltProcess): string {
  const out = p.output();
  expect(out).not.toMatch(/Emitted 'error' event|^\s+at .+:\d+:\d+\)?$/m);
  const lines = out.match(/^bolt: .*$/gm) ?? [];
  expect(lines, out.slice(-3000)).toHaveLength(1);
  return lines[0] as string;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Processes whose command line names the directory (the Temporal server's database, PostgreSQL's data). */
function processesUsing(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(dir) && !cmdline.includes('vitest')) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Nothing of a failed or stopped start is left: its ports are free, no process uses its data. */
async function expectNothingLeft(env: NodeJS.ProcessEnv, cluster: string) {
  const dataDir = env.BOLT_DATA_DIR as string;
  // The servers get their stop signal before Bolt exits; give them a moment to finish.
  for (let i = 0; i < 50 && [...processesUsing(dataDir), ...processesUsing(cluster)].length; i++)
    await sleep(100);
  expect([...processesUsing(dataDir), ...processesUsing(cluster)]).toEqual([]);
  expect(isAlive(postmasterPid(dataDir))).toBe(false);
  expect(await portFree(Number(env.TEMPORAL_PORT))).toBe(true);
  expect(await portFree(Number(env.TEMPORAL_UI_PORT))).toBe(true);
  expect(await portFree(Number(env.PORT))).toBe(true);
}

async function occupy(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const processes: BoltProcess[] = [];
const removeAfter: string[] = [];
afterAll(() => {
  for (const p of processes) p.child.kill('SIGKILL');
  for (const dir of removeAfter) fs.rmSync(dir, { recursive: true, force: true });
});

const start = (env: NodeJS.ProcessEnv) => {
  const p = bolt(['start'], env);
  processes.push(p);
  return p;
};

/** Stops a running Bolt as Ctrl-C would and checks it stopped cleanly. */
async function stopped(p: BoltProcess) {
  p.child.kill('SIGTERM');
  expect(await exitCode(p), p.output().slice(-3000)).toBe(0);
}

describe('a start from a directory other users cannot enter', () => {
  /**
   * `bolt start` from `<closed>/checkout`, a directory of mode 700 as /root is. The checkout is this
   * one, linked: with --preserve-symlinks Node loads every module, and finds PostgreSQL's programs,
   * under the closed directory, as from a clone there. --api-only: the worker's workflow bundle is
   * built from real paths, which a linked checkout does not give; the worker plays no part here.
   */
  function startFrom(checkout: string, env: NodeJS.ProcessEnv): BoltProcess {
    const child = spawn(
      process.execPath,
      [
        '--preserve-symlinks',
        '--preserve-symlinks-main',
        path.join(checkout, 'cli/bin/bolt.mjs'),
        'start',
        '--api-only',
      ],
      { cwd: checkout, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    const p: BoltProcess = {
      child,
      exited,
      output: () => out,
      async waitFor(pattern, timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const m = out.match(pattern);
          if (m) return m;
          if (done) throw new Error(`bolt exited before ${pattern}:\n${out.slice(-3000)}`);
          if (Date.now() > deadline)
            throw new Error(`timed out waiting for ${pattern}:\n${out.slice(-3000)}`);
          await sleep(200);
        }
      },
    };
    processes.push(p);
    return p;
  }

  const closedCheckout = () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-closed-'));
    removeAfter.push(closed);
    fs.symlinkSync(repoRoot, path.join(closed, 'checkout'));
    return closed;
  };

  it.skipIf(!asRoot)(
    'as root: PostgreSQL runs from a copy of its programs and keeps its data where its user can reach (skipped unless root: only root runs PostgreSQL as another user)',
    async () => {
      const closed = closedCheckout();
      const checkoutMode = fs.statSync(repoRoot).mode;
      const dataDir = path.join(closed, 'data');
      const env: NodeJS.ProcessEnv = { ...(await boltEnv()), BOLT_DATA_DIR: dataDir };
      const link = path.join(dataDir, 'pg');

      const first = startFrom(path.join(closed, 'checkout'), env);
      await first.waitFor(RUNNING);
      const cluster = fs.realpathSync(link);
      removeAfter.push(path.dirname(cluster));
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      expect(path.dirname(path.dirname(cluster))).toBe(ROOT_CLUSTERS_DIR);
      expect(fs.readlinkSync(`/proc/${postmasterPid(dataDir)}/exe`)).toMatch(
        new RegExp(`^${ROOT_PROGRAMS_DIR}/`),
      );
      expect(first.output()).toContain(`the postgres user cannot enter ${closed}`);
      const ready = await fetch(`http://127.0.0.1:${env.PORT}/readyz`);
      expect(await ready.json()).toMatchObject({ database: 'ok', temporal: 'ok' });
      const stack = JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
      const db = connectDb(stack.databaseUrl);
      await db.raw('create table startup_probe (n int)').finally(() => db.destroy());
      await stopped(first);
      await expectNothingLeft(env, cluster);

      // The next start finds the same database; nobody's directory changed mode.
      const second = startFrom(path.join(closed, 'checkout'), env);
      await second.waitFor(RUNNING);
      const again = JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
      const db2 = connectDb(again.databaseUrl);
      const probe = await db2
        .raw('select count(*)::int as n from startup_probe')
        .finally(() => db2.destroy());
      expect(probe.rows).toEqual([{ n: 0 }]);
      await stopped(second);
      await expectNothingLeft(env, cluster);
      expect(fs.statSync(closed).mode & 0o777).toBe(0o700);
      expect(fs.statSync(repoRoot).mode).toBe(checkoutMode);
    },
    180_000,
  );

  it.skipIf(!asRoot)(
    'as root: a database already inside such a directory stops the start at once, naming the directory (skipped unless root)',
    async () => {
      const closed = closedCheckout();
      const dataDir = path.join(closed, 'data');
      const env: NodeJS.ProcessEnv = { ...(await boltEnv()), BOLT_DATA_DIR: dataDir };
      fs.mkdirSync(path.join(dataDir, 'pg'), { recursive: true });

      const p = startFrom(path.join(closed, 'checkout'), env);
      expect(await exitCode(p), p.output().slice(-3000)).toBe(1);
      expect(failureLine(p)).toMatch(
        new RegExp(
          `the postgres user, which cannot enter ${closed}, where its data .*: move the data directory`,
        ),
      );
      await expectNothingLeft(env, path.join(dataDir, 'pg'));
    },
    120_000,
  );
});

describe('a start-up that fails half-way leaves nothing behind', () => {
  it('the web app port is taken: PostgreSQL and Temporal, already running, are stopped; the next start works', async () => {
    const env = await boltEnv();
    const squatter = await occupy(Number(env.PORT));
    try {
      const p = start(env);
      expect(await exitCode(p), p.output().slice(-3000)).toBe(1);
      expect(p.output()).toMatch(/starting the embedded PostgreSQL server/);
      expect(failureLine(p)).toBe(
        `bolt: The web app and API: port ${env.PORT} on 127.0.0.1 is in use; stop what listens there or set PORT.`,
      );
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    await expectNothingLeft(env, path.join(env.BOLT_DATA_DIR as string, 'pg'));

    const next = start(env);
    await next.waitFor(RUNNING);
    await stopped(next);
    await expectNothingLeft(env, path.join(env.BOLT_DATA_DIR as string, 'pg'));
  }, 180_000);

  it('PostgreSQL fails to start (a cluster of another major version): Temporal is stopped, the reason told in one line', async () => {
    const env = await boltEnv();
    const dataDir = env.BOLT_DATA_DIR as string;
    const cluster = path.join(dataDir, 'pg');
    fs.mkdirSync(cluster, { mode: 0o700 });
    fs.writeFileSync(path.join(cluster, 'PG_VERSION'), '9.6\n');
    fs.writeFileSync(path.join(cluster, 'postgresql.conf'), '');
    if (asRoot) {
      // The postgres user's own, so PostgreSQL gets as far as reading the version.
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
      for (const f of ['', 'PG_VERSION', 'postgresql.conf'])
        fs.chownSync(path.join(cluster, f), id('-u'), id('-g'));
    }

    const p = start(env);
    expect(await exitCode(p), p.output().slice(-3000)).toBe(1);
    expect(p.output()).toMatch(/starting the embedded Temporal server/);
    expect(failureLine(p)).toMatch(
      /^bolt: PostgreSQL did not start on .*\/pg: database files are incompatible with server \(.*version 9\.6.*\) \(exit 1\)$/,
    );
    await expectNothingLeft(env, cluster);

    fs.rmSync(cluster, { recursive: true });
    const next = start(env);
    await next.waitFor(RUNNING);
    await stopped(next);
    await expectNothingLeft(env, cluster);
  }, 180_000);

  it('the Temporal port is taken: the start stops before anything runs, naming the port and its setting', async () => {
    const env = await boltEnv();
    const squatter = await occupy(Number(env.TEMPORAL_PORT));
    try {
      const p = start(env);
      expect(await exitCode(p), p.output().slice(-3000)).toBe(1);
      expect(failureLine(p)).toBe(
        `bolt: The Temporal server: port ${env.TEMPORAL_PORT} on 127.0.0.1 is in use; stop what listens there or set TEMPORAL_PORT.`,
      );
      expect(processesUsing(env.BOLT_DATA_DIR as string)).toEqual([]);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, 60_000);
});
