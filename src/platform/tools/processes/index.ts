/**
 * The task manager's backend for this platform, picked like the user-session readers: /proc on Linux, tasklist and
 * taskkill on Windows (a native Toolhelp backend can be passed in where one is installed).
 */
import type { ProcessBackend } from './backend.js';
import { createLinuxProcessBackend, type LinuxProcessOptions } from './linux.js';
import { createWindowsProcessBackend, type WindowsProcessOptions } from './windows.js';

export type { ProcessBackend } from './backend.js';

export function createProcessBackend(
  platform: NodeJS.Platform = process.platform,
  opts: { linux?: LinuxProcessOptions; windows?: WindowsProcessOptions } = {},
): ProcessBackend {
  if (platform === 'linux') return createLinuxProcessBackend(opts.linux);
  if (platform === 'win32') return createWindowsProcessBackend(opts.windows);
  throw new Error(`no task manager for ${platform}: the tools are supported on Linux and Windows`);
}
