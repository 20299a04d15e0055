import adapter from '@sveltejs/adapter-static';

/** A single-page app: every route renders in the browser; the API process serves index.html for them. */
export default {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
  },
};
