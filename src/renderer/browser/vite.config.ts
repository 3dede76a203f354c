import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname);

// The operator viewer in the browser, served by the relay under /console/operator/ (its
// handler.ts sends the console's strict CSP header); built beside the console's pages.
export default defineConfig({
  root,
  base: '/console/operator/',
  plugins: [react()],
  build: {
    outDir: resolve(root, '../../../out/console/operator'),
    emptyOutDir: true,
    target: 'chrome120',
  },
});
