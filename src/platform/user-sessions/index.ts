/**
 * The user sessions on this device and which are active, for dynamic mode: feed list() into
 * chooseDynamicMode (src/shared/user-sessions.ts). One reader per platform:
 * - Linux: logind (loginctl), else utmp, else none; see linux.ts.
 * - Windows: the WTS helper when configured, else Terminal Services in-process through koffi
 *   (windows-wts.ts) when this process runs on Windows, else `query user`; see windows.ts.
 */
import { UserSession } from '../../shared/user-sessions.js';
import { createLinuxReader } from './linux.js';
import { createCommandRunner, type CommandRunner } from './run-command.js';
import { createWindowsReader, type Command } from './windows.js';

export interface UserSessionReader {
  list(): Promise<UserSession[]>;
}

export interface UserSessionReaderOptions {
  /** How commands are run; tests pass recorded answers. */
  run?: CommandRunner;
  /** Linux: the utmp file read when logind is not there. Default /var/run/utmp. */
  utmpPath?: string;
  /** Windows: the WTS helper to prefer over `query user`. */
  windowsHelper?: Command;
  /** Windows: ask Terminal Services in-process (default: when this process runs on Windows). */
  windowsWts?: boolean;
  /** Windows: %SystemRoot%, where quser.exe is found. */
  systemRoot?: string;
}

export function createUserSessionReader(
  platform: NodeJS.Platform = process.platform,
  opts: UserSessionReaderOptions = {},
): UserSessionReader {
  const run = opts.run ?? createCommandRunner();
  const reader =
    platform === 'linux'
      ? createLinuxReader({ run, utmpPath: opts.utmpPath })
      : platform === 'win32'
        ? createWindowsReader({
            run,
            helper: opts.windowsHelper,
            wts:
              (opts.windowsWts ?? process.platform === 'win32')
                ? async () => (await import('./windows-wts.js')).readWtsSessions()
                : undefined,
            systemRoot: opts.systemRoot ?? process.env.SystemRoot,
          })
        : undefined;
  if (!reader)
    throw new Error(`no user session reader for ${platform}: dynamic mode is supported on Linux and Windows`);
  return {
    // Checked against the contract here so that a surprise in some tool's output is an error at
    // the reader, not a malformed session further on.
    list: async () => UserSession.array().parse(await reader.list()),
  };
}
