// Runs programs (ffmpeg, espeak-ng) from a small long-lived launcher process. Starting a program forks
// the process that starts it, and forking the worker, with its hundreds of MB of mappings, blocks its
// event loop for about 15 ms each time; the launcher forks in a millisecond, off the worker's main thread.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A finished program's standard output (bytes) and standard error (text). */
export interface Output {
  stdout: Buffer;
  stderr: string;
}

interface Answer {
  id: number;
  error?: string;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

const script = fileURLToPath(new URL('./launcher.mjs', import.meta.url));
let launcher: ChildProcess | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (out: Output) => void; reject: (err: Error) => void }>();

function started(): ChildProcess {
  if (launcher?.connected) return launcher;
  // No loader flags (tsx): the launcher is plain JavaScript and should stay small. Buffers go through
  // the channel as they are ('advanced' serialization).
  const child = fork(script, [], {
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.on('message', ({ id, error, stdout, stderr }: Answer) => {
    const call = waiting.get(id);
    waiting.delete(id);
    if (error) call?.reject(new Error(error));
    else call?.resolve({ stdout: Buffer.from(stdout), stderr: Buffer.from(stderr).toString() });
    if (waiting.size === 0) child.channel?.unref();
  });
  child.on('exit', (code, signal) => {
    if (launcher === child) launcher = undefined;
    for (const call of waiting.values()) call.reject(new Error(`the launcher stopped (${signal ?? code})`));
    waiting.clear();
  });
  // A message that cannot be sent means the launcher is going away: 'exit' rejects what waits on it.
  child.on('error', () => {
    if (launcher === child) launcher = undefined;
  });
  child.unref();
  child.channel?.unref();
  launcher = child;
  return child;
}

/**
 * Runs `file` with `args` (and `input` on its standard input) to its end, like `execFile`: its output,
 * or an error with its message when it fails.
 */
export function runProgram(file: string, args: string[], input?: string | Uint8Array): Promise<Output> {
  const child = started();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    // While an answer is awaited, the channel keeps this process alive.
    child.channel?.ref();
    child.send({ id, file, args, input });
  });
}
