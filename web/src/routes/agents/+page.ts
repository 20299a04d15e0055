import { agents as agentsApi } from '$lib/api';
import { itemsOrError } from '$lib/guard';
import type { PageLoad } from './$types';

/** The user's agents. `invalidate('app:agents')` reloads. */
export const load: PageLoad = async ({ depends, parent }) => {
  depends('app:agents');
  await parent();
  const { items, error } = await itemsOrError(() => agentsApi.list());
  return { agents: items, error };
};
