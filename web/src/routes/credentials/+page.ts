import { credentials as credentialsApi } from '$lib/api';
import { itemsOrError } from '$lib/guard';
import type { PageLoad } from './$types';

/** The user's provider keys (their last four characters). `invalidate('app:credentials')` reloads. */
export const load: PageLoad = async ({ depends, parent }) => {
  depends('app:credentials');
  await parent();
  const { items, error } = await itemsOrError(() => credentialsApi.list());
  return { credentials: items, error };
};
