import { tokens as tokensApi } from '$lib/api';
import { itemsOrError } from '$lib/guard';
import type { PageLoad } from './$types';

/** The user's API tokens (their last four characters). `invalidate('app:tokens')` reloads. */
export const load: PageLoad = async ({ depends, parent }) => {
  depends('app:tokens');
  await parent();
  const { items, error } = await itemsOrError(() => tokensApi.list());
  return { tokens: items, error };
};
