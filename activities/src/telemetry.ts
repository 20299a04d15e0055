import { AsyncLocalStorage } from 'node:async_hooks';
import { type CallOutcome, metrics } from '@bolt/core/metrics';
import { type Attributes, isSpanContextValid, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Info } from '@temporalio/activity';
import { ProviderError } from './providers/errors.ts';

/** What one activity attempt knows about itself, for its log lines and its duration's labels. */
interface StepScope {
  jobId?: string;
  workflowId?: string;
  /** The provider the step called (or found in the cache); the last one when several. */
  provider?: string;
}

const scope = new AsyncLocalStorage<StepScope>();
/** A no-op until a tracer provider is registered (only when OTLP export is configured). */
const tracer = trace.getTracer('bolt');

/**
 * Runs one activity attempt (from the worker's activity interceptor): its duration by kind and provider,
 * a retry counted when it is not the first attempt, and the ids every log line inside it carries. Every
 * job activity takes `{ jobId, … }` as its input.
 */
export async function observeStep<T>(info: Info, args: unknown[], run: () => Promise<T>): Promise<T> {
  const kind = info.activityType;
  if (info.attempt > 1) metrics.stepRetries.inc({ kind });
  const input = args[0] as { jobId?: unknown } | undefined;
  const step: StepScope = {
    jobId: typeof input?.jobId === 'string' ? input.jobId : undefined,
    workflowId: info.workflowExecution?.workflowId,
  };
  const end = metrics.stepDuration.startTimer({ kind });
  try {
    return await scope.run(step, run);
  } finally {
    end({ provider: step.provider ?? 'none' });
  }
}

/**
 * The fields a log line written inside an activity carries (a pino mixin): the job, the workflow and the
 * trace it belongs to. Empty elsewhere.
 */
export function logFields(): Record<string, string> {
  const step = scope.getStore();
  if (!step) return {};
  const span = trace.getActiveSpan()?.spanContext();
  return {
    ...(step.jobId ? { jobId: step.jobId } : {}),
    ...(step.workflowId ? { workflowId: step.workflowId } : {}),
    ...(span && isSpanContextValid(span) ? { traceId: span.traceId } : {}),
  };
}

const noteProvider = (provider: string) => {
  const step = scope.getStore();
  if (step) step.provider = provider;
};

/** The outcome class of a failed provider call, from the provider's error classifiers (providers/). */
export function outcomeOf(err: unknown): CallOutcome {
  if (!(err instanceof ProviderError)) return 'other';
  switch (err.kind) {
    case 'rate-limited':
      return '429';
    case 'transient':
      return (err.status ?? 0) >= 500 ? '5xx' : 'other';
    case 'invalid-key':
    case 'permission':
      return 'invalid_key';
    case 'safety':
      return 'blocked';
    default:
      return 'other';
  }
}

/** What a successful call reports: its outcome (ok unless cut off) and sizes, never its content. */
export interface CallReport {
  outcome?: Extract<CallOutcome, 'ok' | 'truncated'>;
  attributes?: Attributes;
}

/**
 * One request to a provider (each key tried is a request): counted by outcome, and traced as a span
 * under the step's span with the provider, model, sizes and outcome as attributes. Prompts, texts and
 * keys never go into a span: the error's message is left out too, as a provider may quote its input.
 */
export function providerCall<T>(
  call: { provider: string; model: string },
  request: () => Promise<T>,
  report: (result: T) => CallReport,
): Promise<T> {
  noteProvider(call.provider);
  const attributes = { 'bolt.provider': call.provider, 'bolt.model': call.model };
  return tracer.startActiveSpan(
    `provider.call ${call.provider}`,
    { kind: SpanKind.CLIENT, attributes },
    async (span) => {
      try {
        const result = await request();
        const { outcome = 'ok', attributes: sizes = {} } = report(result);
        metrics.providerCalls.inc({ provider: call.provider, outcome });
        span.setAttributes({ ...sizes, 'bolt.outcome': outcome });
        return result;
      } catch (err) {
        const outcome = outcomeOf(err);
        metrics.providerCalls.inc({ provider: call.provider, outcome });
        span.setAttributes({
          'bolt.outcome': outcome,
          'error.type': err instanceof ProviderError ? err.kind : (err as Error)?.name || 'Error',
        });
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** A paid call answered from the cache (kind: llm, tts, asr). */
export function cacheHit(provider: string, kind: string) {
  noteProvider(provider);
  metrics.cacheHits.inc({ provider, kind });
}

/** A paid call's cost as settled in the usage ledger. */
export function paidCost(provider: string, model: string, costUsd: number) {
  if (costUsd > 0) metrics.costUsd.inc({ provider, model }, costUsd);
}

/** A wait for a key's quota: in place, or as the retry delay of a step whose keys all rest. */
export function quotaWait(provider: string, ms: number) {
  metrics.quotaWaits.inc({ provider });
  metrics.quotaWaitSeconds.inc({ provider }, ms / 1000);
}
