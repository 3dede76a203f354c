/**
 * Under Wine's node.exe: the tools panel's registry backend (src/platform/tools/registry/, reg.exe by full path)
 * runs the operations the test sends, in order, against Wine's real registry, and returns each answer as the panel
 * would get it. test/windows/registry-wine.test.ts checks them and reads the registry back with reg.exe itself.
 */
import type { RegistryOp } from '../../../src/shared/tools-protocol.js';
import { createRegistryBackend, runRegistryOp } from '../../../src/platform/tools/registry/index.js';
import { probe } from '../../../dev/wine/probe.js';

probe(async (input: { ops: RegistryOp[] }) => {
  const backend = createRegistryBackend(process.platform);
  const answers: unknown[] = [];
  for (const op of input.ops) answers.push(await runRegistryOp(backend, op));
  return answers;
});
