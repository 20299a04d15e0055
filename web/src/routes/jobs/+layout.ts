import { agents as agentsApi } from '$lib/api';
import { itemsOrError } from '$lib/guard';
import type { LayoutLoad } from './$types';

/**
 * The user's agents, for the jobs list's filter and the new-job form: loaded once for the jobs pages, so
 * the list reloading itself does not ask for them again.
 */
export const load: LayoutLoad = async ({ parent, depends }) => {
  depends('app:agents');
  await parent();
  const { items, error } = await itemsOrError(() => agentsApi.list());
  return { agents: items ?? [], agentsError: error };
};
