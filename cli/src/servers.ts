import net from 'node:net';

/**
 * The embedded servers run in process groups of their own, so nothing stops them when Bolt exits
 * without stopping them itself (a crash, or an exit during start-up). Each one started registers here
 * until it has stopped; whatever is still registered when the process exits gets its stop signal.
 */
const started = new Map<number, NodeJS.Signals>();
let hooked = false;

export function stopOnExit(pid: number | undefined, signal: NodeJS.Signals): () => void {
  if (!pid) return () => {};
  started.set(pid, signal);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const [server, stop] of started) {
        try {
          process.kill(server, stop);
        } catch {
          // already gone
        }
      }
    });
  }
  return () => started.delete(pid);
}

/** Fails with a message naming the port and the setting that moves it when something listens there. */
export async function ensurePortFree(
  port: number,
  host: string,
  what: string,
  setting: string,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `${what}: port ${port} on ${host} is in use; stop what listens there or set ${setting}.`,
            )
          : err,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** The line of a server's output that says why it stopped: its first FATAL/PANIC/ERROR, else its last line. */
export function reasonFrom(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const fatal = lines.find((l) => /\b(FATAL|PANIC|ERROR|fatal|error)\b:?/.test(l));
  return (fatal ?? lines.at(-1) ?? 'no output').replace(/\s+/g, ' ').slice(0, 400);
}
