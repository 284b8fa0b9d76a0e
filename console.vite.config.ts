/**
 * `npm run build:console`: the web console (src/console) built into dist/console, which the API serves at `/`.
 * Assets get content-hashed names (cached for a year by the API); nothing is fetched from elsewhere at run time.
 */
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/console', import.meta.url)),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('./dist/console', import.meta.url)),
    emptyOutDir: true,
    // Chromium in the e2e tests and every browser a payroll office runs today.
    target: 'es2022',
    // No inline module-preload polyfill script: the API's CSP allows no inline script.
    modulePreload: { polyfill: false },
    // Small assets inlined as data: URLs would need a looser CSP for fonts; keep files as files.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    // `npx vite --config console.vite.config.ts` during development, against `npm start`'s API.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
