import { createRequire } from 'node:module';
import type { JobActivities } from '@bolt/activities';
import type { Config } from '@bolt/core';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporalConnectionOptions } from './temporal.ts';

const require = createRequire(import.meta.url);

/** A worker polling the job task queue; `stop()` stops polling, drains running activities, then closes. */
export async function startWorker(config: Config, address: string, activities: JobActivities) {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config, address));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath: require.resolve('@bolt/workflows'),
    activities,
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
