import { ApiError, agents as agentsApi } from '$lib/api';
import type { PageLoad } from './$types';

/** One agent, to edit. */
export const load: PageLoad = async ({ params, parent }) => {
  await parent();
  try {
    return { agent: await agentsApi.get(params.id), missing: false, error: undefined };
  } catch (err) {
    const missing = err instanceof ApiError && err.status === 404;
    return { agent: undefined, missing, error: missing ? undefined : (err as unknown) };
  }
};
