import http from 'node:http';
import type { Config } from '@bolt/core';
import { registry } from '@bolt/core/metrics';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from './postgres.ts';

/** Where the Temporal SDK's own Prometheus exporter listens in this process (loopback), if it runs. */
let runtimeMetrics: string | undefined;

/**
 * Installs the Temporal SDK runtime once per process, before any worker starts. A process that runs a
 * worker gets the SDK's Prometheus exporter on a free loopback port: it binds an address of its own, so
 * the process's /metrics reads it there and serves it after Bolt's, one scrape per process.
 */
export async function installRuntime(withWorker: boolean): Promise<void> {
  if (withWorker) runtimeMetrics = `127.0.0.1:${await freePort()}`;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    ...(runtimeMetrics
      ? {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: runtimeMetrics, useSecondsForDurations: true } },
          },
        }
      : {}),
  });
}

/** This process's metrics in Prometheus text format: Bolt's, then the SDK runtime's when it runs here. */
export async function metricsText(): Promise<string> {
  const own = await registry.metrics();
  if (!runtimeMetrics) return own;
  const sdk = await fetch(`http://${runtimeMetrics}/metrics`, { signal: AbortSignal.timeout(5_000) })
    .then((res) => (res.ok ? res.text() : ''))
    .catch(() => '');
  return `${own}\n${sdk}`;
}

/** Serves GET /metrics alone (a worker process has no API); resolves once listening. */
export async function serveMetrics(host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metricsText().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `Metrics: port ${port} on ${host} is in use; stop what listens there or set BOLT_METRICS_PORT.`,
            )
          : err,
      ),
    );
    server.listen(port, host, resolve);
  });
  return server;
}

export interface Tracing {
  processor: SpanProcessor;
  resource: Resource;
}

let tracing: Tracing | undefined;

/** The process's tracing, when it is on: the client, worker and workflows add their spans to it. */
export const activeTracing = () => tracing;

/**
 * Turns tracing on when OTLP export is configured (OTEL_EXPORTER_OTLP_ENDPOINT; the exporter reads the
 * standard OTEL_EXPORTER_OTLP_* variables itself) or an exporter is given (tests keep spans in memory).
 * Otherwise nothing is registered: every tracer stays the API's no-op and no interceptor is added.
 */
export function installTracing(
  config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>,
  defaults: { serviceName: string; exporter?: SpanExporter },
): Tracing | undefined {
  if (tracing) return tracing;
  if (!defaults.exporter && !config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const resource = Resource.default().merge(
    new Resource({ 'service.name': config.OTEL_SERVICE_NAME ?? defaults.serviceName }),
  );
  // Spans kept in memory are there at once; spans sent away go in batches, off the request's path.
  const processor = defaults.exporter
    ? new SimpleSpanProcessor(defaults.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter());
  // register() also installs the W3C trace-context propagator and the AsyncLocalStorage context manager.
  new NodeTracerProvider({ resource, spanProcessors: [processor] }).register();
  tracing = { processor, resource };
  return tracing;
}
