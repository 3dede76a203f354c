/**
 * The terminals' backend for this platform, picked like the user-session readers: login shells and pwsh on Linux,
 * cmd.exe and powershell.exe through ConPTY (or winpty) on Windows.
 */
import type { TerminalBackend } from './backend.js';
import { createLinuxTerminalBackend, type LinuxTerminalOptions } from './linux.js';
import { createWindowsTerminalBackend, type WindowsTerminalOptions } from './windows.js';

export type { Terminal, TerminalBackend, TerminalExit, TerminalRequest, TerminalSlot } from './backend.js';

export function createTerminalBackend(
  platform: NodeJS.Platform = process.platform,
  opts: { linux?: LinuxTerminalOptions; windows?: WindowsTerminalOptions } = {},
): TerminalBackend {
  if (platform === 'linux') return createLinuxTerminalBackend(opts.linux);
  if (platform === 'win32') return createWindowsTerminalBackend(opts.windows);
  throw new Error(`no terminals for ${platform}: the tools are supported on Linux and Windows`);
}
