/**
 * Bundles the Electron main process, the preload and the device agent (and its development
 * build) with esbuild. The preload must be one CommonJS file: sandboxed preloads can require
 * nothing but 'electron'. The agent is a service run by plain Node: it runs built, never
 * through a transpiler that would start processes of its own under it.
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
  build({
    ...common,
    entryPoints: ['src/agent/cli.ts'],
    outfile: 'out/agent/cli.mjs',
    format: 'esm',
    // Only flxra's own code is bundled; packages load from node_modules as they are.
    packages: 'external',
  }),
  // The same agent with the development Chromium launcher, for the tests and the demo.
  build({
    ...common,
    entryPoints: ['dev/chromium-host/agent.ts'],
    outfile: 'out/dev/agent.mjs',
    format: 'esm',
    packages: 'external',
  }),
]);
console.log('built out/main/index.cjs, out/preload/index.cjs, out/agent/cli.mjs and out/dev/agent.mjs');
