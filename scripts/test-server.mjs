// Finds or installs Temporal's time-skipping test server for the fast test tier (`npm run test:fast`).
// It ships as the Java artifact io.temporal:temporal-test-server on Maven Central; mvn fetches it with its
// dependencies into the cache, and a small launcher runs it the way @temporalio/testing starts a test
// server binary (`<launcher> <port> [extra args]`). Plain Node with no dependencies, idempotent:
// `node scripts/test-server.mjs` installs it when missing and prints the launcher's path.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './toolchain.mjs';

export const TEST_SERVER_VERSION = '1.38.0';

const log = (msg) => console.error(`[setup] ${msg}`);
const shellQuote = (s) => `'${s.replaceAll("'", `'\\''`)}'`;
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** The launcher of the installed test server, or undefined; with `install`, installs it when missing. */
export function testServerBinary({ install = false } = {}) {
  const dir = path.join(cacheDir(), 'test-server', TEST_SERVER_VERSION);
  const launcher = path.join(dir, 'temporal-test-server');
  if (fs.existsSync(launcher) || !install) return fs.existsSync(launcher) ? launcher : undefined;
  for (const cmd of ['java', 'mvn'])
    if (!onPath(cmd))
      throw new Error(
        `${cmd} is missing: the time-skipping test server is a Java program fetched with Maven (apt-get install default-jdk-headless maven).`,
      );

  log(`installing the Temporal test server ${TEST_SERVER_VERSION} from Maven Central (once)`);
  // Built apart and moved into place at the end, so a half-done install is never taken for a whole one.
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    fs.writeFileSync(
      path.join(tmp, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bolt</groupId>
  <artifactId>temporal-test-server</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
    <!-- A binding for the server's SLF4J logging that drops it (without one SLF4J warns on every start). -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`,
    );
    const repo = path.join(tmp, 'm2');
    const r = spawnSync(
      'mvn',
      [
        '-B',
        '-q',
        `-Dmaven.repo.local=${repo}`,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${path.join(tmp, 'lib')}`,
      ],
      { cwd: tmp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (r.status !== 0) {
      process.stderr.write(`${r.stdout}${r.stderr}`);
      throw new Error('Could not fetch io.temporal:temporal-test-server with mvn.');
    }
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(path.join(tmp, 'pom.xml'));
    fs.chmodSync(tmp, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  // It must start fast: @temporalio/testing gives it 5 seconds. The JIT's first tier and one GC thread
  // (it lives for one test run), and the classes it loads to start, archived by a first run of 10 seconds
  // (the archive is written as it exits; it holds the class path, so it is made in place), which takes its
  // start from ~1.5 s to ~0.6 s. The launcher comes last: it marks the install as complete.
  const flags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', `${path.join(dir, 'lib')}/*`];
  const server = 'io.temporal.testserver.TestServer';
  const archive = path.join(dir, 'classes.jsa');
  spawnSync('java', [`-XX:ArchiveClassesAtExit=${archive}`, ...flags, server, '0'], {
    stdio: 'ignore',
    timeout: 10_000,
    killSignal: 'SIGTERM',
  });
  if (fs.existsSync(archive)) flags.unshift(`-XX:SharedArchiveFile=${archive}`);
  fs.writeFileSync(launcher, `#!/bin/sh\nexec java ${flags.map(shellQuote).join(' ')} ${server} "$@"\n`, {
    mode: 0o755,
  });
  return launcher;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(testServerBinary({ install: true }));
  } catch (err) {
    console.error(`[setup] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
