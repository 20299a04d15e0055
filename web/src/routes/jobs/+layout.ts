import { agents as agentsApi } from '$lib/api';
import type { Agent } from '$lib/types';
import type { LayoutLoad } from './$types';

/**
 * The user's agents, for the jobs list's filter and the new-job form: loaded once for the jobs pages, so
 * the list reloading itself does not ask for them again.
 */
export const load: LayoutLoad = async ({ parent, depends }) => {
  depends('app:agents');
  await parent();
  try {
    return { agents: (await agentsApi.list()).items, agentsError: undefined };
  } catch (err) {
    return { agents: [] as Agent[], agentsError: err as unknown };
  }
};
