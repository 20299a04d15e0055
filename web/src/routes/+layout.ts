import { redirect } from '@sveltejs/kit';
import { signedIn } from '$lib/api';
import { loginUrl, publicPaths } from '$lib/guard';
import type { LayoutLoad } from './$types';

// A single-page app: nothing renders on the server, nothing is prerendered.
export const ssr = false;
export const prerender = false;

/**
 * Signed out, every page but the public ones sends you to sign in. Page loads `await parent()` first, so
 * they ask the API nothing without a session. Signed in, this reads nothing of the address, so it does
 * not run again on each navigation (nor, through `parent()`, the loads under it); a session that ends
 * while a page is open is the layout component's to notice.
 */
export const load: LayoutLoad = ({ url }) => {
  if (!signedIn() && !publicPaths.includes(url.pathname)) redirect(307, loginUrl(url));
};
