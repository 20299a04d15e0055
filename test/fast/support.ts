import type { JobActivities } from '@bolt/activities';
import { Context } from '@temporalio/activity';
import { IllegalStateError } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { testServerBinary } from '../../scripts/test-server.mjs';
import { temporalBinary } from '../../scripts/toolchain.mjs';

/**
 * Temporal's time-skipping test server (installed by `node scripts/test-server.mjs`); where it is not
 * installed, the Temporal CLI's dev server. Both start in a second or two and keep nothing on disk.
 */
export async function fastTestEnvironment(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const testServer = testServerBinary();
  if (testServer) {
    // The SDK gives the server 5 seconds to listen; it needs under one, unless the machine is very busy.
    for (let attempt = 1; ; attempt++) {
      try {
        return await TestWorkflowEnvironment.createTimeSkipping({
          server: { executable: { type: 'existing-path', path: testServer } },
        });
      } catch (err) {
        if (attempt === 3 || !String(err).includes('did not start within')) throw err;
      }
    }
  }
  const cli = temporalBinary();
  if (cli)
    return TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: cli }, extraArgs: ['--log-level', 'error'] },
    });
  throw new Error(
    'No Temporal test server: run `node scripts/test-server.mjs` (or `node scripts/prepare.mjs`)',
  );
}

/**
 * Workers starting and stopping, and the failures the tests cause on purpose, are not news: only errors
 * are logged. Before any worker or server starts; once per process.
 */
export function quietRuntime() {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
    });
  } catch (err) {
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

export type ActivityName = keyof JobActivities;
type Input<K extends ActivityName> = Parameters<JobActivities[K]>[0];

/** One activity call as the stub saw it: its input and the workflow that scheduled it. */
export interface Call<K extends ActivityName = ActivityName> {
  name: K;
  input: Input<K>;
  workflowId: string;
}

/**
 * Activities that do no I/O: each returns references built from its input (so a result that reaches the
 * wrong place shows), and every call is recorded, in the order the calls started.
 */
export function stubActivities(options: {
  blocks: number;
  /** Speech chunks prepareNarration reports for a narration. */
  chunks: (variation: number, language: string) => number;
  /** Replaces some stubs; calls are still recorded. */
  overrides?: Partial<JobActivities>;
}) {
  const calls: Call[] = [];
  const stubs: JobActivities = {
    async markJobRunning() {},
    async generatePremise({ jobId }) {
      return { key: stubKeys.premise(jobId), attempt: 1 };
    },
    async planScriptBlocks() {
      return Array.from({ length: options.blocks }, (_, index) => ({
        index,
        title: `Part ${index + 1}`,
        targetWords: 100,
      }));
    },
    async writeBlock({ jobId, block }) {
      return { key: stubKeys.block(jobId, 1, 'source', block), attempt: 1 };
    },
    async writeVariationBlock({ jobId, variation, block }) {
      return { key: stubKeys.block(jobId, variation, 'source', block), attempt: 1 };
    },
    async rerollBlock({ jobId, variation, language, block }) {
      return { key: stubKeys.block(jobId, variation, language, block), attempt: 1 };
    },
    async adaptBlock({ jobId, variation, language, block }) {
      return { key: stubKeys.block(jobId, variation, language, block), attempt: 1 };
    },
    async reviewBlocks({ jobId, variation, language }) {
      return { key: `${stubKeys.dir(jobId, variation, language)}/review.json`, attempt: 1, detail: 'stub' };
    },
    async checkNarration({ jobId, variation, language }) {
      return { key: stubKeys.quality(jobId, variation, language), attempt: 1, verdict: 'pass', notes: [] };
    },
    async assembleScript({ jobId, variation, language }) {
      return { key: stubKeys.script(jobId, variation, language), attempt: 1 };
    },
    async planNarration({ variation, language }) {
      return { chunks: options.chunks(variation, language), chars: 100 };
    },
    async prepareNarration({ jobId, variation, language }) {
      return {
        key: stubKeys.script(jobId, variation, language),
        attempt: 1,
        chunks: options.chunks(variation, language),
      };
    },
    async synthesizeChunk({ jobId, variation, language, chunk }) {
      return { key: `${stubKeys.dir(jobId, variation, language)}/speech-${chunk}.wav`, attempt: 1 };
    },
    async assembleNarration({ jobId, variation, language }) {
      return {
        key: stubKeys.audio(jobId, variation, language),
        attempt: 1,
        durationSeconds: 60 * variation + language.length,
        subtitles: stubKeys.subtitles(jobId, variation, language),
      };
    },
    async finishJob() {},
    ...options.overrides,
  };
  const activities = Object.fromEntries(
    Object.entries(stubs).map(([name, stub]) => [
      name,
      (input: never) => {
        calls.push({
          name: name as ActivityName,
          input,
          workflowId: Context.current().info.workflowExecution?.workflowId ?? '',
        });
        return (stub as (input: never) => Promise<unknown>)(input);
      },
    ]),
  ) as JobActivities;

  /** The inputs of every call to `name`, with the workflow that made each. */
  const callsOf = <K extends ActivityName>(name: K) => calls.filter((c): c is Call<K> => c.name === name);
  return { activities, calls, callsOf };
}

/** The references the stubs hand back, per variation and language. */
export const stubKeys = {
  dir: (jobId: string, variation: number, language: string) => `stub/${jobId}/v${variation}/${language}`,
  premise: (jobId: string) => `stub/${jobId}/premise.txt`,
  block: (jobId: string, variation: number, language: string, block: number) =>
    `${stubKeys.dir(jobId, variation, language)}/block-${block}.md`,
  script: (jobId: string, variation: number, language: string) =>
    `${stubKeys.dir(jobId, variation, language)}/script.md`,
  audio: (jobId: string, variation: number, language: string) =>
    `${stubKeys.dir(jobId, variation, language)}/narration.mp3`,
  quality: (jobId: string, variation: number, language: string) =>
    `${stubKeys.dir(jobId, variation, language)}/quality.json`,
  subtitles: (jobId: string, variation: number, language: string) => ({
    srt: `${stubKeys.dir(jobId, variation, language)}/narration.srt`,
    vtt: `${stubKeys.dir(jobId, variation, language)}/narration.vtt`,
  }),
};

/** A promise with its resolve function, for stubs that wait on the test. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
