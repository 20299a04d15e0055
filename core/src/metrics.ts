import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Bolt's own Prometheus metrics, one registry per process: the API, the jobs library and the worker all
 * count here, and each process serves it on its /metrics (with the Temporal SDK's runtime metrics).
 * Labels never carry ids, prompts or keys: only small fixed sets (route patterns, providers, statuses).
 */
export const registry = new Registry();

/** Provider call outcomes: the classes an operator acts on differently. */
export const callOutcomes = ['ok', '429', '5xx', 'invalid_key', 'blocked', 'truncated', 'other'] as const;
export type CallOutcome = (typeof callOutcomes)[number];

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

export const metrics = {
  jobsStarted: new Counter({
    name: 'bolt_jobs_started_total',
    help: 'Job runs started (a retry is a run of its own)',
    registers: [registry],
  }),
  jobsFinished: new Counter({
    name: 'bolt_jobs_finished_total',
    help: 'Job runs finished, by status (completed, failed, cancelled); counted once, never on replay',
    labelNames: ['status'],
    registers: [registry],
  }),
  stepDuration: new Histogram({
    name: 'bolt_step_duration_seconds',
    help: 'Activity (step) duration, by activity type and the provider it called (none when it called none)',
    labelNames: ['kind', 'provider'],
    buckets: SECONDS,
    registers: [registry],
  }),
  stepRetries: new Counter({
    name: 'bolt_step_retries_total',
    help: 'Activity attempts after the first, by activity type',
    labelNames: ['kind'],
    registers: [registry],
  }),
  providerCalls: new Counter({
    name: 'bolt_provider_calls_total',
    help: 'Requests to a model or speech provider, by outcome (ok, 429, 5xx, invalid_key, blocked, truncated, other)',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  }),
  cacheHits: new Counter({
    name: 'bolt_cache_hits_total',
    help: 'Paid calls answered from the content-addressed cache, by provider and kind (llm, tts, asr)',
    labelNames: ['provider', 'kind'],
    registers: [registry],
  }),
  costUsd: new Counter({
    name: 'bolt_provider_cost_usd_total',
    help: 'Cost of paid calls in USD as settled in the usage ledger, by provider and model',
    labelNames: ['provider', 'model'],
    registers: [registry],
  }),
  quotaWaits: new Counter({
    name: 'bolt_quota_waits_total',
    help: "Provider calls that waited in the quota queue (for a key's pace, their turn or a rest)",
    labelNames: ['provider'],
    registers: [registry],
  }),
  quotaWaitSeconds: new Counter({
    name: 'bolt_quota_wait_seconds_total',
    help: "Seconds spent waiting for a key's quota",
    labelNames: ['provider'],
    registers: [registry],
  }),
  httpDuration: new Histogram({
    name: 'bolt_http_request_duration_seconds',
    help: 'API request duration, by method, matched route pattern (never the raw path) and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
};

/** The names a scrape shows for Bolt's metrics (a histogram adds _bucket, _sum and _count). */
export function exportedNames(): string[] {
  return registry
    .getMetricsAsArray()
    .flatMap((m) =>
      m instanceof Histogram ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
    );
}
