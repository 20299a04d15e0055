/** Pages anyone may open; every other page needs a session. */
export const publicPaths = ['/login', '/signup'];

/** The sign-in page, coming back to `url` once signed in (from the home page, just the sign-in page). */
export const loginUrl = (url: URL) =>
  url.pathname === '/' ? '/login' : `/login?next=${encodeURIComponent(url.pathname + url.search)}`;

/** A page's list, or the error that kept it from loading (the page shows it with a way to try again). */
export async function itemsOrError<T>(
  request: () => Promise<{ items: T[] }>,
): Promise<{ items: T[] | undefined; error: unknown }> {
  try {
    return { items: (await request()).items, error: undefined };
  } catch (error) {
    return { items: undefined, error };
  }
}
