import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

/** The home page is the jobs list (signed out, the layout sends you to sign in instead). */
export const load: PageLoad = async ({ parent }) => {
  await parent();
  redirect(307, '/jobs');
};
