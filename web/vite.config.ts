import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `npm run dev -w @bolt/web` proxies the API of a running `npm start`.
const api = process.env.BOLT_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [sveltekit()],
  server: { proxy: { '/api': api, '/openapi.json': api } },
});
