// The launcher process (see launcher.ts): runs each program it is sent and answers with its output.
// Plain JavaScript with no imports beyond Node's, so the process stays small and forks fast.
import { execFile } from 'node:child_process';

process.on('message', ({ id, file, args, input }) => {
  const child = execFile(
    file,
    args,
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
    (error, stdout, stderr) => process.send?.({ id, error: error?.message, stdout, stderr }),
  );
  child.stdin?.end(input);
});
// The worker is gone (even killed): so is the reason to run.
process.on('disconnect', () => process.exit());
