import fs from 'node:fs';
import { apiEnv, type ClusterServers, defaultPorts, workerEnv } from '@bolt/cli/cluster';
import { envSchema, loadConfig } from '@bolt/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLUSTER_MODULES } from '../../scripts/toolchain.mjs';

const root = new URL('../../', import.meta.url);
const text = fs.readFileSync(new URL('docker-compose.yml', root), 'utf8');
// Compose resolves YAML merge keys (`<<: *bolt-env`); the yaml package does so only when asked.
const compose = parse(text, { merge: true }) as { services?: Record<string, Service> };
const services = compose.services ?? {};

type Service = {
  build?: string | { context?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  ports?: Array<string | number | { target?: number | string; published?: number | string }>;
  volumes?: string[];
};

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

/** Compose's `${VAR:-default}` / `${VAR-default}` with the default, `$$` as `$`; a bare `${VAR}` fails. */
function interpolate(value: string, where: string): string {
  const out = value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (all, name, dflt) => {
    if (all === '$$') return '$';
    if (dflt === undefined) throw new Error(`${where}: \${${name}} has no default`);
    return dflt;
  });
  return out;
}

/** The service's environment as compose would pass it, with defaults substituted. */
function environment(name: string): Record<string, string> {
  const env = service(name).environment;
  const entries: Array<[string, unknown]> = Array.isArray(env)
    ? env.map((line) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, null] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(env ?? {});
  return Object.fromEntries(
    entries.map(([key, value]) => {
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new Error(`${name}.environment.${key}: value must be a string, got ${JSON.stringify(value)}`);
      return [key, interpolate(String(value), `${name}.environment.${key}`)];
    }),
  );
}

function commandLine(s: Service): string {
  return [s.entrypoint, s.command].flat().filter(Boolean).join(' ');
}

/** The host a URL-valued variable points at, after checking its scheme. */
function urlHost(value: string | undefined, protocols: string[], where: string): string {
  const url = URL.canParse(value ?? '') ? new URL(value ?? '') : undefined;
  if (!url || !protocols.includes(url.protocol))
    throw new Error(`${where} = ${value}: expected a ${protocols.join(' or ')} URL`);
  return url.hostname;
}

/** The host of a gRPC `host:port` address such as TEMPORAL_ADDRESS. */
function addressHost(value: string | undefined, where: string): string {
  const match = /^([A-Za-z0-9.-]+):\d+$/.exec(value ?? '');
  if (!match?.[1]) throw new Error(`${where} = ${value}: expected host:port`);
  return match[1];
}

const workers = ['worker-1', 'worker-2'] as const;
const apps = ['api', ...workers] as const;

describe('docker-compose.yml', () => {
  it('defines the whole stack', () => {
    const missing = ['temporal', 'temporal-ui', 'postgresql', 'minio', 'api', ...workers].filter(
      (name) => !(name in services),
    );
    expect(missing, `missing services: ${missing.join(', ')}`).toEqual([]);
  });

  it('builds api and worker from this repository', () => {
    for (const name of apps) {
      const build = service(name).build;
      const context = typeof build === 'string' ? build : build?.context;
      expect(context, `${name}.build`).toBe('.');
    }
    expect(fs.existsSync(new URL('Dockerfile', root)), 'Dockerfile at the repo root').toBe(true);
  });

  it('gives the Temporal server the cluster’s dynamic configuration (eager activities, priority, fairness)', () => {
    const temporal = service('temporal');
    const path = environment('temporal').DYNAMIC_CONFIG_FILE_PATH;
    expect(temporal.volumes).toContain(`./ops/temporal/dynamicconfig.yaml:/etc/temporal/${path}:ro`);
  });

  it('runs `bolt start --api-only` and `bolt worker`', () => {
    expect(commandLine(service('api'))).toMatch(/\bbolt start --api-only\b/);
    for (const name of workers) expect(commandLine(service(name))).toMatch(/\bbolt worker\b/);
  });

  it('sets only variables that envSchema declares', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of apps) {
      const keys = Object.keys(environment(name));
      expect(keys.length, `${name} has an environment`).toBeGreaterThan(0);
      const unknown = keys.filter((k) => !known.has(k));
      expect(unknown, `${name}: variables not in envSchema: ${unknown.join(', ')}`).toEqual([]);
    }
  });

  it('passes loadConfig with the default values', () => {
    for (const name of apps) {
      const env = environment(name);
      expect(() => loadConfig(env), name).not.toThrow();
      const config = loadConfig(env);
      expect(config.TEMPORAL_ADDRESS, `${name}.TEMPORAL_ADDRESS`).toBeDefined();
      expect(config.DATABASE_URL, `${name}.DATABASE_URL`).toBeDefined();
    }
    expect(loadConfig(environment('api')).BOLT_API_ONLY).toBe(true);
  });

  it('points DATABASE_URL, TEMPORAL_ADDRESS and S3_ENDPOINT at services in the file', () => {
    for (const name of apps) {
      const env = environment(name);
      const hosts = {
        DATABASE_URL: urlHost(env.DATABASE_URL, ['postgres:', 'postgresql:'], `${name}.DATABASE_URL`),
        TEMPORAL_ADDRESS: addressHost(env.TEMPORAL_ADDRESS, `${name}.TEMPORAL_ADDRESS`),
        S3_ENDPOINT: urlHost(env.S3_ENDPOINT, ['http:', 'https:'], `${name}.S3_ENDPOINT`),
      };
      for (const [key, host] of Object.entries(hosts))
        expect(Object.keys(services), `${name}.${key}: host "${host}" is not a service`).toContain(host);
    }
  });

  it("creates the app's database", () => {
    const database = new URL(environment('api').DATABASE_URL ?? 'postgres://invalid/').pathname.slice(1);
    const postgres = environment('postgresql');
    const initScript = fs.existsSync(new URL('docker/postgres-init.sql', root))
      ? fs.readFileSync(new URL('docker/postgres-init.sql', root), 'utf8')
      : '';
    const created =
      postgres.POSTGRES_DB === database ||
      new RegExp(`create database\\s+"?${database}\\b`, 'i').test(initScript);
    expect(created, `database "${database}" is created by the postgresql service`).toBe(true);
  });

  it('publishes the API on port 8080', () => {
    const ports = (service('api').ports ?? []).map((p) =>
      typeof p === 'object' ? `${p.published}:${p.target}` : String(p),
    );
    expect(
      ports.some((p) => /^(?:[\d.]+:)?8080:8080(?:\/tcp)?$/.test(p)),
      `api.ports = ${ports}`,
    ).toBe(true);
  });

  describe('and `npm run cluster` (cli/src/cluster)', () => {
    const servers: ClusterServers = {
      temporalAddress: '127.0.0.1:7233',
      namespace: 'default',
      temporalUiUrl: 'http://127.0.0.1:8233',
      databaseUrl: 'postgres://bolt:pw@127.0.0.1:5433/bolt',
      s3Endpoint: 'http://127.0.0.1:9000',
      s3AccessKeyId: 'bolt',
      s3SecretAccessKey: 'secret',
      jwtSecret: 'x'.repeat(32),
      credentialsKey: Buffer.alloc(32).toString('base64'),
    };
    const keys = (env: Record<string, unknown>) => Object.keys(env).sort();

    it('configure the API and the workers with the same variables', () => {
      const at = { dataDir: '/var/lib/bolt' };
      expect(keys(environment('api'))).toEqual(keys(apiEnv(servers, { ...at, host: '0.0.0.0', port: 8080 })));
      for (const name of workers)
        expect(keys(environment(name)), name).toEqual(
          keys(workerEnv(servers, { ...at, metricsHost: '0.0.0.0', metricsPort: 9464 })),
        );
    });

    it('run the same Temporal server and Web UI versions', () => {
      const tag = (name: string) => String((services[name] as { image?: string }).image).split(':')[1];
      expect(`v${tag('temporal')}`).toBe(CLUSTER_MODULES.temporalServer.version);
      expect(`v${tag('temporal-ui')}`).toBe(CLUSTER_MODULES.uiServer.version);
    });

    it('have Prometheus scrape every Bolt process and the Temporal server where they serve metrics', () => {
      const targets = (file: string) =>
        (
          parse(fs.readFileSync(new URL(file, root), 'utf8')) as {
            scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
          }
        ).scrape_configs
          .flatMap((c) => c.static_configs.flatMap((s) => s.targets))
          .sort();
      const ports = defaultPorts(2);
      expect(targets('ops/prometheus.yml')).toEqual(
        [ports.api, ports.temporal.metrics, ...ports.workerMetrics].map((p) => `127.0.0.1:${p}`).sort(),
      );
      const temporalMetrics = environment('temporal').PROMETHEUS_ENDPOINT?.split(':')[1];
      expect(targets('ops/prometheus.compose.yml')).toEqual(
        [
          `api:${environment('api').PORT}`,
          `temporal:${temporalMetrics}`,
          ...workers.map((w) => `${w}:${environment(w).BOLT_METRICS_PORT}`),
        ].sort(),
      );
    });
  });
});
