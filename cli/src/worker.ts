import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { type JobActivities, observeStep } from '@bolt/activities';
import type { Config } from '@bolt/core';
import type { Logger } from '@bolt/core/log';
import { metrics } from '@bolt/core/metrics';
import type { BoltSinks } from '@bolt/workflows/interceptors';
import type { Client } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import proto from '@temporalio/proto';
import {
  type ActivityInterceptorsFactory,
  type InjectedSinks,
  NativeConnection,
  Worker,
} from '@temporalio/worker';
import pLimit from 'p-limit';
import { isAlive } from './postgres.ts';
import { activeTracing } from './telemetry.ts';
import { temporalConnectionOptions } from './temporal.ts';

const require = createRequire(import.meta.url);

/** Each activity attempt measured, and its log lines tagged with its job, workflow and trace. */
const observed: ActivityInterceptorsFactory = (ctx) => ({
  inbound: { execute: (input, next) => observeStep(ctx.info, input.args, () => next(input)) },
});

/** Counts job runs as they end, from the workflow interceptor in @bolt/workflows/interceptors. */
const metricSinks: InjectedSinks<BoltSinks> = {
  metrics: { jobFinished: { fn: (_info, status) => metrics.jobsFinished.inc({ status }) } },
};

/**
 * The worker's interceptors and sinks: Bolt's metrics always; with tracing on, the SDK's OpenTelemetry
 * interceptors too, outermost, so a step's logs and provider-call spans sit inside its RunActivity span.
 */
function observability() {
  const tracing = activeTracing();
  const boltWorkflow = require.resolve('@bolt/workflows/interceptors');
  if (!tracing)
    return { interceptors: { workflowModules: [boltWorkflow], activity: [observed] }, sinks: metricSinks };
  return {
    interceptors: {
      workflowModules: [
        require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
        boltWorkflow,
      ],
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        observed,
      ] satisfies ActivityInterceptorsFactory[],
    },
    sinks: { ...metricSinks, exporter: makeWorkflowExporter(tracing.processor, tracing.resource) },
  };
}

/** A worker polling the job task queue; `stop()` stops polling, drains running activities, then closes. */
export async function startWorker(config: Config, address: string, activities: JobActivities) {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config, address));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    identity: workerIdentity(),
    workflowsPath: require.resolve('@bolt/workflows'),
    activities,
    ...observability(),
    maxConcurrentActivityTaskExecutions: config.BOLT_WORKER_ACTIVITIES,
    // Heartbeats reach the server within a second, so a cancelled job's activities hear of it at once.
    maxHeartbeatThrottleInterval: '1 second',
    shutdownGraceTime: '30 seconds',
  });
  const done = worker.run().finally(() => connection.close());
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/**
 * Where this process's pids mean something: the host, plus the PID namespace on Linux (containers may
 * share a host name, never a PID namespace).
 */
export function pidSpace(): string {
  const ns = fs.existsSync('/proc/self/ns/pid') ? ` ${fs.readlinkSync('/proc/self/ns/pid')}` : '';
  return `${os.hostname()}${ns}`;
}

/** `pid@host` as the SDK names workers, with the PID namespace. */
const workerIdentity = () => `${process.pid}@${pidSpace()}`;

/** Whether the worker named `identity` ran in this PID space, and its process is gone. */
export function isLostWorker(identity: string, alive: (pid: number) => boolean = isAlive): boolean {
  const at = identity.indexOf('@');
  const pid = Number(identity.slice(0, at));
  return identity.slice(at + 1) === pidSpace() && pid > 0 && pid !== process.pid && !alive(pid);
}

/** Running workflows described at once when looking for lost steps. */
const DESCRIBES_AT_ONCE = 16;

/**
 * Steps that a worker on this machine was running when it was killed stay "started" until their
 * heartbeat timeout runs out. Failing them (retryable) lets Temporal retry them at once instead.
 */
export async function retryLostSteps(client: Client, taskQueue: string, log: Logger): Promise<void> {
  const { PENDING_ACTIVITY_STATE_STARTED } = proto.temporal.api.enums.v1.PendingActivityState;
  const limit = pLimit(DESCRIBES_AT_ONCE);
  /** Fails the lost steps of one workflow; one that cannot be described does not stop the others. */
  const retryIn = async (workflowId: string, runId: string) => {
    const described = await client.workflow
      .getHandle(workflowId, runId)
      .describe()
      .catch((err) => log.warn({ err, workflowId }, 'could not look for lost steps'));
    for (const step of described?.raw.pendingActivities ?? []) {
      const identity = step.lastWorkerIdentity ?? '';
      if (step.state !== PENDING_ACTIVITY_STATE_STARTED || !step.activityId || !isLostWorker(identity))
        continue;
      const activityId = step.activityId;
      await client.activity
        .fail(
          { workflowId, runId, activityId },
          new Error(`The worker running this step stopped (${identity})`),
        )
        .then(() =>
          log.info({ event: 'step.lost', workflowId, activityId, identity }, 'retrying a lost step'),
        )
        // It may have ended or timed out since it was described: nothing to do then.
        .catch((err) => log.warn({ err, workflowId, activityId }, 'could not retry a lost step'));
    }
  };
  const running = client.workflow.list({
    query: `ExecutionStatus = "Running" AND TaskQueue = "${taskQueue}"`,
  });
  const lookups: Array<Promise<void>> = [];
  for await (const { workflowId, runId } of running) lookups.push(limit(() => retryIn(workflowId, runId)));
  await Promise.all(lookups);
}
