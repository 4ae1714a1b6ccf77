/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server embeds web/dist and serves it at `/` with an SPA fallback, on the same origin as the API,
// so the app uses absolute `/api/...` paths and `base: '/'`. In development the same paths are proxied
// to a local `switchboard serve` (`cargo run -- serve`, port 8080).
const backend = 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/hooks': { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps: dist is committed and CI compares it byte for byte, so it stays small and
    // depends only on the sources and the lockfile.
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
