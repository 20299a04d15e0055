/** Pages anyone may open; every other page needs a session. */
export const publicPaths = ['/login', '/signup'];

/** The sign-in page, coming back to `url` once signed in (from the home page, just the sign-in page). */
export const loginUrl = (url: URL) =>
  url.pathname === '/' ? '/login' : `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
