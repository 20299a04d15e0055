import { agents as agentsApi } from '$lib/api';
import type { PageLoad } from './$types';

/** The user's agents. `invalidate('app:agents')` reloads. */
export const load: PageLoad = async ({ depends, parent }) => {
  depends('app:agents');
  await parent();
  try {
    return { agents: (await agentsApi.list()).items, error: undefined };
  } catch (err) {
    return { agents: undefined, error: err as unknown };
  }
};
