import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '@bolt/cli';
import { connectDb } from '@bolt/data';
import { debianPostgresBin } from '../../scripts/toolchain.mjs';
import { tempDir } from './env.ts';

/**
 * A throwaway cluster of Debian's own PostgreSQL server (apt package `postgresql`), on a free loopback
 * port with password authentication. As root it runs as the `postgres` user, as PostgreSQL requires.
 */
export async function startDebianPostgres(): Promise<{ url: string; stop(): void }> {
  const bin = debianPostgresBin();
  if (!bin) throw new Error("Debian's PostgreSQL is not installed: run `node scripts/prepare.mjs --test`");
  const dir = tempDir('debian-pg');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : path.join(bin, cmd),
      asRoot ? ['-u', 'postgres', '--', path.join(bin, cmd), ...args] : args,
      {
        stdio: 'pipe',
      },
    );
  const password = `pw${Date.now()}`;
  fs.writeFileSync(path.join(dir, 'pwfile'), password);
  if (asRoot) execFileSync('chown', ['postgres:postgres', path.join(dir, 'pwfile')]);
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'bolt', '--auth=scram-sha-256', `--pwfile=${path.join(dir, 'pwfile')}`]);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    path.join(dir, 'log'),
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}`,
    'start',
  ]);
  const admin = connectDb(`postgres://bolt:${password}@127.0.0.1:${port}/postgres`);
  await admin.raw('create database bolt');
  await admin.destroy();
  return {
    url: `postgres://bolt:${password}@127.0.0.1:${port}/bolt`,
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
  };
}
