/**
 * The registry editor's backend for this platform, picked like the user-session readers: reg.exe on Windows (or a
 * native module passed in), and on Linux a backend that says the device has no registry.
 */
import { createNoRegistryBackend, type RegistryBackend } from './backend.js';
import { createWindowsRegistryBackend, type WindowsRegistryOptions } from './windows.js';

export { NO_REGISTRY, runRegistryOp, type RegistryBackend } from './backend.js';

export function createRegistryBackend(
  platform: NodeJS.Platform = process.platform,
  opts: { windows?: WindowsRegistryOptions } = {},
): RegistryBackend {
  return platform === 'win32' ? createWindowsRegistryBackend(opts.windows) : createNoRegistryBackend();
}
