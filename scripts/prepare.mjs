// Makes sure everything `npm start`, `npm test` (with --test), `npm run test:fast` (with --fast: npm packages,
// the Temporal CLI and test server only), `npm run cluster` (with --cluster) and `npm run bench` need is
// present. Idempotent and
// quick when nothing is missing; says what it does otherwise.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testServerBinary } from './test-server.mjs';
import {
  clusterBinaries,
  ensureChromium,
  ensureDebianPostgres,
  ensureEspeak,
  ensureWebBuild,
  kokoroFiles,
  localModelPath,
  motoServer,
  schemathesisBinary,
  temporalBinary,
} from './toolchain.mjs';

// The `.env` that `bolt` reads too (core/src/config.ts), so both see the same BOLT_CACHE_DIR and paths.
try {
  process.loadEnvFile('.env');
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const installed = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

function npmInstall() {
  const stale = !fs.existsSync(installed) || fs.statSync(lock).mtimeMs > fs.statSync(installed).mtimeMs;
  if (!stale) return;
  console.error('[setup] installing npm dependencies (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** The time-skipping test server; without Java and Maven the fast workflow tests use the dev server. */
function optionalTestServer() {
  try {
    testServerBinary({ install: true });
  } catch (err) {
    console.error(
      `[setup] ${err instanceof Error ? err.message : err} The workflow tests use the dev server instead.`,
    );
  }
}

try {
  npmInstall();
  temporalBinary({ install: true });
  if (process.argv.includes('--test') || process.argv.includes('--fast')) optionalTestServer();
  if (process.argv.includes('--fast')) process.exit(0);
  ensureEspeak();
  localModelPath({ install: true });
  kokoroFiles({ install: true });
  ensureWebBuild(root);
  if (process.argv.includes('--test') || process.argv.includes('--cluster')) {
    ensureDebianPostgres();
    clusterBinaries({ install: true });
  }
  if (process.argv.includes('--test')) {
    motoServer({ install: true });
    schemathesisBinary({ install: true });
    ensureDebianPostgres();
    ensureChromium();
  }
} catch (err) {
  console.error(`[setup] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
