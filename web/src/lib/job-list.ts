import { isFinished, jobStatuses } from '@bolt/core/domain';
import { jobSorts } from '@bolt/core/views';
import type { Job, JobSort, JobStatus } from './types.ts';

/** What the job list shows: it lives in the address, so reload and back/forward keep it. */
export interface JobListFilter {
  status: JobStatus | '';
  agentId: string;
  /** Part of the title, as typed. */
  q: string;
  sort: JobSort;
  offset: number;
}

/** The list's filter from the address (`?q=flood&status=running&agent=…&sort=oldest&offset=20`). */
export function readFilter(params: URLSearchParams): JobListFilter {
  const status = params.get('status') ?? '';
  const sort = params.get('sort') ?? '';
  const offset = Number(params.get('offset'));
  return {
    status: (jobStatuses as readonly string[]).includes(status) ? (status as JobStatus) : '',
    agentId: params.get('agent') ?? '',
    q: params.get('q') ?? '',
    sort: (jobSorts as readonly string[]).includes(sort) ? (sort as JobSort) : 'newest',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** The address of the list with this filter; defaults are left out. */
export function filterHref(f: JobListFilter): string {
  const q = new URLSearchParams();
  if (f.q) q.set('q', f.q);
  if (f.status) q.set('status', f.status);
  if (f.agentId) q.set('agent', f.agentId);
  if (f.sort !== 'newest') q.set('sort', f.sort);
  if (f.offset > 0) q.set('offset', String(f.offset));
  const query = q.toString();
  return query ? `/jobs?${query}` : '/jobs';
}

export type BulkAction = 'cancel' | 'retry' | 'delete';

/** Whether the API accepts this action for a job in this status (see jobs/src/start.ts). */
export function allows(action: BulkAction, status: JobStatus): boolean {
  if (action === 'cancel') return !isFinished(status);
  if (action === 'retry') return status === 'failed' || status === 'cancelled';
  return true;
}

/** The new-job form with a job's agent, languages, variations and budget, for another title. */
export function runAgainHref(job: Job): string | undefined {
  if (!job.agent_id) return undefined;
  const q = new URLSearchParams({
    agent: job.agent_id,
    languages: job.languages.join(','),
    variations: String(job.variations),
  });
  if (job.budget_usd !== null) q.set('budget', String(job.budget_usd));
  return `/jobs/new?${q}`;
}

/**
 * Runs `work` on every item, at most `limit` at a time (the per-job endpoints start and stop workflows:
 * a page of them at once would queue on the server anyway), and says how each one went.
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<Array<{ item: T; error?: unknown }>> {
  const results: Array<{ item: T; error?: unknown }> = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
        results.push({ item });
      } catch (error) {
        results.push({ item, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
