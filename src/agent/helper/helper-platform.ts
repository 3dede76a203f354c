/**
 * Whether and how this device's agent can start the secure-desktop helper (docs/secure-desktop.md),
 * as data: on Windows the helper is started as LocalSystem in a user's session
 * (windows-helper-launch.ts); elsewhere there is no secure desktop and no helper, and the answer
 * says so in a sentence rather than failing later. The supervisor (helper-supervisor.ts) only
 * sees this interface, so it is tested on Linux with a stand-in and under Wine with the real one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, win32 } from 'node:path';

import type { HelperStart } from './helper-process.js';

export type { HelperProcess, HelperStart } from './helper-process.js';

export type HelperPlatform =
  | { available: true; exe: string; launch: HelperStart }
  | { available: false; code: 'not-windows' | 'helper-missing'; message: string };

/** A fresh pipe name per start, naming the session: nobody can guess it ahead (and the first instance wins anyway). */
export function helperPipeName(wtsSession: number): string {
  return `\\\\.\\pipe\\flxra-desktop-${wtsSession}-${randomBytes(8).toString('hex')}`;
}

/** Where the installed helper is: beside the agent's node.exe, as the installer lays them out (docs/windows.md). */
export function defaultHelperExe(execPath = process.execPath): string {
  return win32.join(win32.dirname(execPath), 'flxra-desktop-helper.exe');
}

export interface HelperPlatformOptions {
  platform?: NodeJS.Platform;
  /** The helper exe (Windows path); default: beside node.exe. */
  exe?: string;
  exists?: (file: string) => boolean;
}

export async function helperPlatform(opts: HelperPlatformOptions = {}): Promise<HelperPlatform> {
  const platform = opts.platform ?? process.platform;
  if (platform !== 'win32')
    return {
      available: false,
      code: 'not-windows',
      message: `This device runs ${platform}, not Windows: it has no secure desktop, so there is no helper to start.`,
    };
  const exe = opts.exe ?? defaultHelperExe();
  if (!(opts.exists ?? existsSync)(exe))
    return {
      available: false,
      code: 'helper-missing',
      message: `The secure-desktop helper is not installed at ${exe} (expected beside the agent in ${dirname(exe)}).`,
    };
  const { windowsHelperStart } = await import('./windows-helper-launch.js');
  return { available: true, exe, launch: windowsHelperStart };
}
