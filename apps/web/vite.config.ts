import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Paths relative to this file (apps/web). */
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
/** The gateway `npx vite --config apps/web/vite.config.ts` (dev server) proxies to. */
const gateway = process.env.LIVEROOM_GATEWAY ?? 'http://127.0.0.1:3000';

/**
 * The demo room page. `vite build --config apps/web/vite.config.ts` (part of `npm run build`) writes
 * dist/web/, which the gateway serves at `/` (GATEWAY_WEB_DIR).
 */
export default defineConfig({
  root: here('.'),
  // Relative asset URLs: the page works wherever the gateway (or any static server) mounts it.
  base: './',
  resolve: {
    // The SDK from source (its `#contracts` imports are type-only, so they vanish in the bundle).
    alias: { '#sdk': here('../../libs/sdk/src/index.ts') },
  },
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/v1': gateway,
      '/demo': gateway,
      '/socket.io': { target: gateway, ws: true },
    },
  },
});
