import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    // a single-page app served by the gateway, which falls back to index.html for every app route
    adapter: adapter({ fallback: 'index.html' }),
  },
};
