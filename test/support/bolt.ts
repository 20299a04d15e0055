import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@bolt/cli';
import { repoRoot, TEST_MAX_TOKENS, tempDir } from './env.ts';

const bin = path.join(repoRoot, 'cli/bin/bolt.mjs');

/** Environment for a `bolt` process with its own data directory and free ports (never a developer's). */
export async function boltEnv(): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    BOLT_DATA_DIR: tempDir('data'),
    PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    BOLT_LOCAL_MAX_TOKENS: TEST_MAX_TOKENS,
    BOLT_LOG_LEVEL: 'info',
  };
}

export interface BoltProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves when the output matches, rejects if the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** `ownGroup`: in a process group of its own, as a shell runs a command (Ctrl-C reaches the whole group). */
export function bolt(args: string[], env: NodeJS.ProcessEnv, { ownGroup = false } = {}): BoltProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownGroup,
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async waitFor(pattern, timeoutMs = 240_000) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exited.then(() => (done = true));
      for (;;) {
        const m = out.match(pattern);
        if (m) return m;
        if (done) throw new Error(`bolt exited before ${pattern}:\n${out.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

/** The `paid call completed` log events, as storage keys, from a process's JSON log lines. */
export function completedCalls(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { event?: string; key?: string })
    .filter((e) => e.event === 'call.completed')
    .map((e) => e.key as string);
}
