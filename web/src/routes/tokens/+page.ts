import { tokens as tokensApi } from '$lib/api';
import type { PageLoad } from './$types';

/** The user's API tokens (their last four characters). `invalidate('app:tokens')` reloads. */
export const load: PageLoad = async ({ depends, parent }) => {
  depends('app:tokens');
  await parent();
  try {
    return { tokens: (await tokensApi.list()).items, error: undefined };
  } catch (err) {
    return { tokens: undefined, error: err as unknown };
  }
};
