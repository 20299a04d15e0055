import { runProgram } from '@bolt/activities';
import { describe, expect, it } from 'vitest';

const node = (code: string, input?: string) => runProgram(process.execPath, ['-e', code], input);

describe('runProgram (programs started by the launcher process)', () => {
  it('answers with binary standard output and the text of standard error', async () => {
    const out = await node('process.stdout.write(Buffer.from([0, 255, 1])); process.stderr.write("olá")');
    expect(out.stdout).toEqual(Buffer.from([0, 255, 1]));
    expect(out.stderr).toBe('olá');
  });

  it('feeds the input to standard input', async () => {
    const out = await node('process.stdin.pipe(process.stdout)', 'नमस्ते, 世界');
    expect(out.stdout.toString()).toBe('नमस्ते, 世界');
  });

  it('runs programs side by side, each answer to its own call', async () => {
    const outs = await Promise.all(
      [3, 1, 2].map((n) => node(`setTimeout(() => process.stdout.write("${n}"), ${n * 50})`)),
    );
    expect(outs.map((o) => o.stdout.toString())).toEqual(['3', '1', '2']);
  });

  it('rejects with the failure of a program that fails', async () => {
    await expect(node('console.error("no such voice"); process.exit(3)')).rejects.toThrow(/no such voice/);
    await expect(runProgram('/no/such/program', [])).rejects.toThrow(/ENOENT/);
  });

  it('starts a new launcher when the last one died, failing only the calls it had', async () => {
    const killed = node('process.kill(process.ppid, "SIGKILL"); setTimeout(() => {}, 5000)');
    await expect(killed).rejects.toThrow(/the launcher stopped \(SIGKILL\)/);
    expect((await node('process.stdout.write("back")')).stdout.toString()).toBe('back');
  });
});
