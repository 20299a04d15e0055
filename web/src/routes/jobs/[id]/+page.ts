import { ApiError, jobs as jobsApi } from '$lib/api';
import type { Artifact, JobDetail, JobUsage, StepUsage } from '$lib/types';
import type { PageLoad } from './$types';

interface JobPageView {
  job: JobDetail;
  artifacts: Artifact[];
  /** The usage ledger, when the server has one (older servers answer 404: nothing to show). */
  usage?: { totals: JobUsage; steps: StepUsage[] };
}

/** A job with its steps, files and usage. `invalidate('app:job')` reloads. */
export const load: PageLoad = async ({ params, depends, parent }) => {
  depends('app:job');
  await parent();
  const id = params.id;
  try {
    const [job, files, usage] = await Promise.all([
      jobsApi.get(id),
      jobsApi.artifacts(id),
      jobsApi.usage(id).catch(() => undefined),
    ]);
    const view: JobPageView = { job, artifacts: files.items, usage };
    return { id, view, notFound: false, error: undefined };
  } catch (err) {
    const notFound = err instanceof ApiError && err.status === 404;
    return { id, view: undefined, notFound, error: notFound ? undefined : (err as unknown) };
  }
};
