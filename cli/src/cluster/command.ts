import path from 'node:path';
import { loadConfig } from '@bolt/core';
import { defaultPorts, startCluster } from './index.ts';

/** The environment a cluster's Bolt processes do not take from `bolt cluster`'s own: the cluster sets it. */
const CLUSTER_SET = ['BOLT_DATA_DIR', 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'PORT', 'HOST', 'BOLT_API_ONLY'];

/**
 * `bolt cluster`: the production topology on this machine, in the foreground; Ctrl-C stops it in order.
 * Its data and logs go to <BOLT_DATA_DIR>/cluster.
 */
export async function clusterCommand(): Promise<void> {
  const config = loadConfig();
  const dataDir = path.join(config.dataDir, 'cluster');
  const ports = { ...defaultPorts(2), api: config.PORT };
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CLUSTER_SET.includes(k)));
  const say = (line: string) => process.stderr.write(`[cluster] ${line}\n`);
  const cluster = await startCluster({ dataDir, ports, env, say, restartOnExit: true });
  const logs = path.relative(process.cwd(), path.join(dataDir, 'logs')) || '.';
  process.stderr.write(
    `${[
      'The Bolt cluster is running.',
      `  Web app and API   ${cluster.urls.api}   (metrics: ${cluster.urls.api}/metrics)`,
      `  Temporal          ${cluster.temporalAddress} (metrics: http://127.0.0.1:${ports.temporal.metrics}/metrics)`,
      `  Temporal Web UI   ${cluster.urls.temporalUi}`,
      `  MinIO             http://127.0.0.1:${ports.minio} (console ${cluster.urls.minioConsole}; keys in ${path.join(dataDir, 'secrets.json')})`,
      `  PostgreSQL        127.0.0.1:${ports.postgres}`,
      ...cluster.workers.map(
        (w, i) => `  ${w.name.padEnd(17)} metrics: http://127.0.0.1:${ports.workerMetrics[i]}/metrics`,
      ),
      `  Logs              ${logs}/*.log`,
      'Stop with Ctrl-C.',
    ].join('\n')}\n`,
  );
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: stopping the workers, the API, then the servers`);
      cluster.stop().then(
        () => process.exit(0),
        (err: Error) => {
          process.stderr.write(`${err.message}\n`);
          process.exit(1);
        },
      );
    });
}
