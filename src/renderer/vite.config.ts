import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { META_CONTENT_SECURITY_POLICY } from '../shared/content-security-policy';

const root = resolve(import.meta.dirname);

// Two pages, one per role; relative base so Electron can load them from file://.
export default defineConfig({
  root,
  base: './',
  plugins: [
    react(),
    {
      name: 'flxra-csp',
      transformIndexHtml: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: META_CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ],
    },
  ],
  build: {
    outDir: resolve(root, '../../out/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    rollupOptions: {
      input: { host: resolve(root, 'host.html'), operator: resolve(root, 'operator.html') },
    },
  },
});
