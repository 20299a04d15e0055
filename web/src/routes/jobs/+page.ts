import { isFinished, jobStatuses } from '@bolt/core/domain';
import { jobPercent } from '@bolt/core/progress';
import { jobs as jobsApi } from '$lib/api';
import type { Job, JobStatus, Page } from '$lib/types';
import type { PageLoad } from './$types';

const PAGE = 20;

/** The list's filters, from the address (`?status=running&agent=…&offset=20`). */
function filters(params: URLSearchParams) {
  const status = params.get('status') ?? '';
  const offset = Number(params.get('offset'));
  return {
    status: (jobStatuses as readonly string[]).includes(status) ? (status as JobStatus) : '',
    agentId: params.get('agent') ?? '',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  } as const;
}

/** A page of jobs; unfinished ones with their progress and cost so far. `invalidate('app:jobs')` reloads. */
export const load: PageLoad = async ({ url, depends, parent }) => {
  depends('app:jobs');
  await parent();
  const filter = filters(url.searchParams);
  const progress: Record<string, number> = {};
  const cost: Record<string, number> = {};
  let list: Page<Job> | undefined;
  try {
    list = await jobsApi.list({
      status: filter.status,
      agent_id: filter.agentId || undefined,
      limit: PAGE,
      offset: filter.offset,
    });
    // Progress of unfinished jobs comes from their step lists.
    await Promise.all(
      list.items
        .filter((j) => !isFinished(j.status))
        .map(async (j) => {
          const detail = await jobsApi.get(j.id);
          progress[j.id] = jobPercent(detail.steps, j, j.status);
          if (detail.usage) cost[j.id] = detail.usage.costUsd;
        }),
    );
    return { filter, list, progress, cost, error: undefined };
  } catch (err) {
    return { filter, list, progress, cost, error: err as unknown };
  }
};
