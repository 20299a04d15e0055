import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, tempDir } from './env.ts';

/**
 * A new release of Bolt as a deployment would ship it: a copy of this checkout's sources with `change`
 * applied to some of them, beside the same third-party packages (node_modules is linked, the workspace
 * packages are the copy's own). Returns the copy's root.
 */
export function releaseWith(change: Record<string, (source: string) => string>): string {
  const root = tempDir('release');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
  })
    .toString()
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(repoRoot, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, file), path.join(root, file));
  }
  for (const [file, edit] of Object.entries(change)) {
    const target = path.join(root, file);
    const before = fs.readFileSync(target, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`the release's change to ${file} changed nothing`);
    fs.writeFileSync(target, after);
  }
  // Third-party packages from this checkout; the workspace links (relative, ../../core) point into the copy.
  const modules = path.join(root, 'node_modules');
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (entry === '@bolt') continue;
    fs.symlinkSync(path.join(repoRoot, 'node_modules', entry), path.join(modules, entry));
  }
  fs.mkdirSync(path.join(modules, '@bolt'));
  for (const entry of fs.readdirSync(path.join(repoRoot, 'node_modules', '@bolt')))
    fs.symlinkSync(
      fs.readlinkSync(path.join(repoRoot, 'node_modules', '@bolt', entry)),
      path.join(modules, '@bolt', entry),
    );
  for (const dir of fs.readdirSync(repoRoot)) {
    const own = path.join(repoRoot, dir, 'node_modules');
    if (dir !== 'node_modules' && fs.existsSync(own) && fs.existsSync(path.join(root, dir)))
      fs.symlinkSync(own, path.join(root, dir, 'node_modules'));
  }
  return root;
}
