import type { JobStatus } from '@bolt/core';
import {
  isCancellation,
  proxySinks,
  type Sinks,
  type WorkflowInterceptorsFactory,
  workflowInfo,
} from '@temporalio/workflow';

/** What the worker counts for a workflow; implemented in the worker process (see cli/src/worker.ts). */
export interface BoltSinks extends Sinks {
  metrics: { jobFinished(status: Extract<JobStatus, 'completed' | 'failed' | 'cancelled'>): void };
}

const { metrics } = proxySinks<BoltSinks>();

/**
 * Counts each job run as it ends through a sink: a sink call adds no command to the history, and the
 * worker does not call it while replaying, so a job replayed on another worker is not counted twice.
 * Only workers that load this module (the product's, not the tests' or the replayer's) count.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        if (workflowInfo().workflowType !== 'jobWorkflow') return next(input);
        try {
          const result = await next(input);
          metrics.jobFinished('completed');
          return result;
        } catch (err) {
          metrics.jobFinished(isCancellation(err) ? 'cancelled' : 'failed');
          throw err;
        }
      },
    },
  ],
});
