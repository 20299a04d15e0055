import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Every module URL that importing `specifier` loads, in a fresh Node process. */
function loadedBy(specifier: string): string[] {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'test/support/loaded-modules.mjs'), specifier],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

const heavy = /node-llama-cpp|@ffmpeg-installer/;

describe('what each process loads', () => {
  it('the API loads neither the embedded model nor the ffmpeg package', () => {
    const modules = loadedBy('@bolt/api');
    expect(modules.some((m) => m.includes('/datastore/src/'))).toBe(true);
    expect(modules.filter((m) => heavy.test(m))).toEqual([]);
  });

  it('the activities, which a worker loads, do (so the check above can see them)', () => {
    expect(loadedBy('@bolt/activities').some((m) => heavy.test(m))).toBe(true);
  });
});
