import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname);

// Served by the relay under /console (src/relay/console/handler.ts), which sends the CSP header.
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: resolve(root, '../../../../out/console'),
    emptyOutDir: true,
    target: 'chrome120',
  },
});
