/**
 * The Windows reader: the WTS helper when one is configured (its JSON is not localized), else
 * Terminal Services asked in-process (windows-wts.ts, the same contract) when given, else
 * quser.exe, the program behind `query user`. Both run by absolute path: the agent runs as a
 * service, and a bare name would be looked up along a PATH it does not control.
 */
import { win32 } from 'node:path';
import type { UserSession } from '../../shared/user-sessions.js';
import type { CommandRunner } from './run-command.js';
import { parseQueryUser } from './windows-query-user.js';
import { parseWtsHelperOutput, WtsHelperOutput } from './windows-wts-helper.js';

export interface Command {
  file: string;
  args: string[];
}

export interface WindowsReaderOptions {
  run: CommandRunner;
  /** The WTS helper (see windows-wts-helper.ts for what it prints). */
  helper?: Command;
  /** Terminal Services in-process (readWtsSessions), used when no helper is configured. */
  wts?: () => Promise<WtsHelperOutput>;
  /** %SystemRoot%; C:\Windows when unset. */
  systemRoot?: string;
}

export function queryUserCommand(systemRoot = 'C:\\Windows'): Command {
  return { file: win32.join(systemRoot, 'System32', 'quser.exe'), args: [] };
}

export function createWindowsReader({ run, helper, wts, systemRoot }: WindowsReaderOptions) {
  return {
    async list(): Promise<UserSession[]> {
      if (helper) {
        const r = await run(helper.file, helper.args);
        if (r.code !== 0) throw new Error(`session helper ${helper.file} failed (exit ${r.code}): ${r.stderr.trim()}`);
        return parseWtsHelperOutput(r.stdout);
      }
      if (wts) return parseWtsHelperOutput(JSON.stringify(WtsHelperOutput.parse(await wts())));
      const quser = queryUserCommand(systemRoot);
      const r = await run(quser.file, quser.args);
      // Nobody signed in: quser says so on stderr (localized) with a non-zero exit and no table.
      if (r.code !== 0 && !r.stdout.trim()) return [];
      if (r.code !== 0) throw new Error(`quser failed (exit ${r.code}): ${r.stderr.trim()}`);
      return parseQueryUser(r.stdout);
    },
  };
}
