/**
 * Bundles the Electron main process and the preload with esbuild. The preload must be one
 * CommonJS file: sandboxed preloads can require nothing but 'electron'.
 */
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
} as const;

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/main/index.ts'],
    outfile: 'out/main/index.cjs',
    // Native modules and Electron itself are loaded at run time, not bundled.
    external: ['electron', 'keytar', 'koffi', 'better-sqlite3', 'bufferutil', 'utf-8-validate'],
  }),
  build({
    ...common,
    entryPoints: ['src/main/preload/index.ts'],
    outfile: 'out/preload/index.cjs',
    external: ['electron'],
  }),
]);
console.log('built out/main/index.cjs and out/preload/index.cjs');
