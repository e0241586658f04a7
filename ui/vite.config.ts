// Builds the single-page UI into ui/dist, which the server serves. `npm run dev:ui` proxies
// /api to a running `muragat serve` (MURAGAT_API, default http://127.0.0.1:8080).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    // Archive workstations may run older browsers; es2020 keeps the bundle broadly usable.
    target: 'es2020',
    sourcemap: false,
  },
  server: {
    fs: { allow: [path.resolve(here, '..')] },
    proxy: { '/api': { target: process.env.MURAGAT_API ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
