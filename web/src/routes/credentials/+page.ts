import { credentials as credentialsApi } from '$lib/api';
import type { PageLoad } from './$types';

/** The user's provider keys (their last four characters). `invalidate('app:credentials')` reloads. */
export const load: PageLoad = async ({ depends, parent }) => {
  depends('app:credentials');
  await parent();
  try {
    return { credentials: (await credentialsApi.list()).items, error: undefined };
  } catch (err) {
    return { credentials: undefined, error: err as unknown };
  }
};
