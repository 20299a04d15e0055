import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { reasonFrom, stopOnExit } from '../servers.ts';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Its output (stdout and stderr) is appended to this file. */
  logFile: string;
  /** Resolves true once the service answers; polled after each start with its output so far. */
  ready: (output: string) => Promise<boolean>;
  /** How long a start may take before it counts as failed. */
  startTimeoutMs?: number;
}

/**
 * One long-running program of the cluster: started in a process group of its own (a terminal's Ctrl-C
 * reaches the launcher alone, which stops everything in order), its output in a log file, ready when
 * its probe says so. Tests kill and restart it to inject faults.
 */
export class Service {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  /** Set while the cluster itself ends it, so its exit is not news. */
  private ending = false;
  /** Told when it exits on its own (a crash): how, as "code 1" or "SIGKILL". */
  onExit?: (how: string) => void;

  constructor(readonly spec: ServiceSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { spec } = this;
    fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
    const out = fs.openSync(spec.logFile, 'a');
    const startedAt = fs.fstatSync(out).size;
    const child = spawn(spec.command, spec.args, {
      env: spec.env,
      stdio: ['ignore', out, out],
      detached: true,
    });
    fs.closeSync(out);
    this.child = child;
    this.ending = false;
    const forget = stopOnExit(child.pid, 'SIGTERM');
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        forget();
        if (!this.ending) this.onExit?.(signal ?? `code ${code}`);
        resolve();
      }),
    );
    const failedToRun = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = Date.now() + (spec.startTimeoutMs ?? 120_000);
    for (;;) {
      const error = await Promise.race([failedToRun, delay(250).then(() => undefined)]);
      if (error) throw new Error(`${spec.name} could not run (${spec.command}): ${error.message}`);
      if (!this.running)
        throw new Error(`${spec.name} stopped at start: ${this.reason(startedAt)} (log: ${spec.logFile})`);
      if (await spec.ready(this.outputSince(startedAt)).catch(() => false)) return;
      if (Date.now() > deadline) {
        await this.stop(0);
        throw new Error(
          `${spec.name} was not ready in time: ${this.reason(startedAt)} (log: ${spec.logFile})`,
        );
      }
    }
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.ending = true;
    this.child?.kill('SIGTERM');
    const killer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killer);
  }

  /** Ends it at once, as a crash or an out-of-memory kill would (so `onExit` hears of it). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.child?.kill(signal);
    await this.exited;
  }

  /** The last 64 kB of its log written since `from` (a byte offset). */
  private outputSince(from: number): string {
    const fd = fs.openSync(this.spec.logFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const start = Math.max(from, size - 65_536);
      const buffer = Buffer.alloc(size - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
      return buffer.toString();
    } finally {
      fs.closeSync(fd);
    }
  }

  /** What its log says went wrong since `from`. */
  private reason(from: number): string {
    return reasonFrom(this.outputSince(from));
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A probe for `Service.ready`: its output says `pattern`. */
export const says = (pattern: RegExp) => async (output: string) => pattern.test(output);

/** A probe for `Service.ready`: an HTTP GET answered with a 2xx. */
export const answers = (url: string) => async () =>
  (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
