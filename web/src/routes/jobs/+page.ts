import { isFinished } from '@bolt/core/domain';
import { jobPercent } from '@bolt/core/progress';
import { jobs as jobsApi } from '$lib/api';
import { readFilter } from '$lib/job-list';
import type { ListedJob, Page } from '$lib/types';
import type { PageLoad } from './$types';

const PAGE = 20;

/**
 * A page of jobs with their cost (from the list itself); unfinished ones also with their progress, read
 * from their step lists. `invalidate('app:jobs')` reloads.
 */
export const load: PageLoad = async ({ url, depends, parent }) => {
  depends('app:jobs');
  await parent();
  const filter = readFilter(url.searchParams);
  const progress: Record<string, number> = {};
  let list: Page<ListedJob> | undefined;
  try {
    list = await jobsApi.list({
      status: filter.status,
      agent_id: filter.agentId || undefined,
      q: filter.q.trim() || undefined,
      sort: filter.sort === 'newest' ? undefined : filter.sort,
      limit: PAGE,
      offset: filter.offset,
    });
    await Promise.all(
      list.items
        .filter((j) => !isFinished(j.status))
        .map(async (j) => {
          const detail = await jobsApi.get(j.id);
          progress[j.id] = jobPercent(detail.steps, j, j.status);
        }),
    );
    return { filter, list, progress, error: undefined };
  } catch (err) {
    return { filter, list, progress, error: err as unknown };
  }
};
