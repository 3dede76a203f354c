/**
 * The Flexxible Tools' device-side backends, one per tool, each chosen for the platform (terminals, task manager,
 * registry editor). The device agent holds one set and answers the panel's requests (src/shared/tools-protocol.ts)
 * with them; nothing here opens a port or talks to the relay.
 */
import { createProcessBackend, type ProcessBackend } from './processes/index.js';
import { createRegistryBackend, type RegistryBackend } from './registry/index.js';
import { createTerminalBackend, type TerminalBackend } from './terminal/index.js';

export interface ToolBackends {
  terminals: TerminalBackend;
  processes: ProcessBackend;
  registry: RegistryBackend;
}

export function createToolBackends(platform: NodeJS.Platform = process.platform): ToolBackends {
  return {
    terminals: createTerminalBackend(platform),
    processes: createProcessBackend(platform),
    registry: createRegistryBackend(platform),
  };
}
