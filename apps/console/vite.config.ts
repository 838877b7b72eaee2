import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console's build: `dist/apps/console` (index.html and hashed files under assets/), served by
 * the control plane at / on the console host. No inline script or style, so the page runs under a
 * Content-Security-Policy of 'self' only. `nx run console:serve` proxies the APIs to a local
 * control plane (npm start's gateway) for development.
 */
export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, '../../dist/apps/console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    port: 4200,
    proxy: { '/v1': { target: 'http://console.localhost:8080', changeOrigin: true } },
  },
});
