// Everything the app keeps up to date by itself, in one place: a job's live event stream, repeated
// reloads, and the clock running steps are timed with. Each starts with its first subscriber and stops
// with its last, so a page subscribes in an `$effect` and returns the unsubscribe as its cleanup:
//
//   $effect(() => live.follow(id, { progress, end, error }));
//   $effect(() => live.poll(() => invalidate('app:jobs'), { every: 4000 }));
//   <Timeline now={live.now} />

import { createSubscriber, SvelteSet } from 'svelte/reactivity';
import { ApiError, request } from './api.ts';
import { t } from './locale.svelte.ts';
import { sseParser } from './sse.ts';
import type { Job, JobDetail } from './types.ts';

/** What a subscriber to a job's stream is told. */
export interface JobStreamListener {
  /** Each `progress` event: the job with all its steps so far. */
  progress?(job: JobDetail): void;
  /** The `end` event: the job finished (completed, failed or cancelled) and the stream is over. */
  end?(job: Job): void;
  /** The stream stopped for good (the job is gone, or the session is), or keeps failing and retries. */
  error?(err: ApiError): void;
}

export interface PollOptions {
  /** Milliseconds from the end of one run to the start of the next (the first run comes after one wait). */
  every: number;
  /** Run in a hidden tab too; by default a hidden tab skips its turns. */
  whileHidden?: boolean;
  /** Give up after this many milliseconds. */
  for?: number;
  /** Called once when the poll stops by itself: the task answered `true`, or `for` ran out. */
  onStop?(): void;
}

interface Stream {
  listeners: Set<JobStreamListener>;
  controller: AbortController;
}

/** One connection per job, however many subscribers it has. */
const streams = new Map<string, Stream>();
/** Jobs whose stream is open: reactive, for a "live" mark. */
const open = new SvelteSet<string>();

function close(jobId: string, stream: Stream) {
  stream.controller.abort();
  if (streams.get(jobId) !== stream) return;
  streams.delete(jobId);
  open.delete(jobId);
}

/**
 * Reads GET /api/jobs/:id/events (through fetch, so the bearer token goes along), reconnecting with the
 * last event id, until the server sends `end`, the job or the session is gone, or the stream is closed.
 */
async function stream(jobId: string, s: Stream): Promise<void> {
  const { signal } = s.controller;
  const each = (call: (l: JobStreamListener) => void) => {
    for (const l of [...s.listeners]) call(l);
  };
  let lastId = '';
  let failures = 0;
  while (!signal.aborted) {
    try {
      const res = await request(`/api/jobs/${jobId}/events`, {
        headers: lastId
          ? { 'Last-Event-ID': lastId, accept: 'text/event-stream' }
          : { accept: 'text/event-stream' },
        signal,
      });
      const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
      if (!reader) throw new ApiError(0, 'network', t('The browser cannot read the event stream'));
      const parse = sseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const e of parse(value)) {
          failures = 0;
          if (e.id) lastId = e.id;
          if (e.event === 'progress') {
            const job = JSON.parse(e.data) as JobDetail;
            each((l) => l.progress?.(job));
          }
          if (e.event === 'end') {
            const job = JSON.parse(e.data) as Job;
            each((l) => l.end?.(job));
            return;
          }
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 401)) {
        each((l) => l.error?.(err));
        return;
      }
      failures++;
      if (failures === 3) {
        const shown =
          err instanceof ApiError ? err : new ApiError(0, 'network', t('Lost the live connection; retrying'));
        each((l) => l.error?.(shown));
      }
    }
    await new Promise((r) => setTimeout(r, Math.min(2000 * 2 ** failures, 15_000)));
  }
}

let now = Date.now();
let ticking = false;
const clock = createSubscriber((update) => {
  ticking = true;
  now = Date.now();
  const timer = setInterval(() => {
    now = Date.now();
    update();
  }, 1000);
  return () => {
    clearInterval(timer);
    ticking = false;
  };
});

export const live = {
  /**
   * Follows a job's progress as the server streams it, until the job ends. Subscribers of one job share
   * its connection, which closes when the last one unsubscribes. Returns the unsubscribe.
   */
  follow(jobId: string, listener: JobStreamListener): () => void {
    let s = streams.get(jobId);
    if (!s) {
      const started: Stream = { listeners: new Set(), controller: new AbortController() };
      streams.set(jobId, started);
      open.add(jobId);
      void stream(jobId, started).finally(() => close(jobId, started));
      s = started;
    }
    const joined = s;
    joined.listeners.add(listener);
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size === 0) close(jobId, joined);
    };
  },

  /** Whether the job's stream is open right now (reactive). */
  isLive: (jobId: string): boolean => open.has(jobId),

  /**
   * Runs `task` every `options.every` milliseconds until unsubscribed, the task answers `true`, or
   * `options.for` runs out; one run at a time. The task reports its own errors: a throw is a turn missed.
   * Returns the unsubscribe.
   */
  poll(task: () => unknown, options: PollOptions): () => void {
    const deadline = options.for === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.for;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const turn = async () => {
      let done = false;
      if (options.whileHidden || document.visibilityState === 'visible') {
        try {
          done = (await task()) === true;
        } catch {
          // the task shows its own errors; the next turn tries again
        }
      }
      if (stopped) return;
      if (done || Date.now() >= deadline) {
        stopped = true;
        options.onStop?.();
        return;
      }
      timer = setTimeout(turn, options.every);
    };
    timer = setTimeout(turn, options.every);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  },

  /** The time, in epoch milliseconds, ticking every second while something reads it (reactive). */
  get now(): number {
    clock();
    return ticking ? now : Date.now();
  },
};
