/**
 * The Linux reader: logind when loginctl exists and answers, else utmp when the file exists,
 * else nobody. The choice is made on the first list() and kept, so a reader never switches
 * source between two answers; if the chosen source later fails, list() rejects.
 */
import { access, readFile } from 'node:fs/promises';
import type { UserSession } from '../../shared/user-sessions.js';
import { LIST_SESSIONS_ARGS, LOGINCTL, readLogindSessions } from './logind.js';
import type { CommandRunner } from './run-command.js';
import { parseUtmp } from './utmp.js';
import { utmpSessions } from './utmp-sessions.js';

export const DEFAULT_UTMP_PATH = '/var/run/utmp';

export interface LinuxReaderOptions {
  run: CommandRunner;
  utmpPath?: string;
}

export type LinuxSource = 'logind' | 'utmp' | 'none';

export function createLinuxReader({ run, utmpPath = DEFAULT_UTMP_PATH }: LinuxReaderOptions) {
  let source: Promise<LinuxSource> | undefined;
  const read: Record<LinuxSource, () => Promise<UserSession[]>> = {
    logind: () => readLogindSessions(run),
    utmp: async () => utmpSessions(parseUtmp(await readFile(utmpPath))),
    none: async () => [],
  };
  return {
    /** Which source this reader uses; decided on first call. */
    source(): Promise<LinuxSource> {
      source ??= chooseSource(run, utmpPath);
      return source;
    },
    async list(): Promise<UserSession[]> {
      return read[await this.source()]();
    },
  };
}

async function chooseSource(run: CommandRunner, utmpPath: string): Promise<LinuxSource> {
  // Not installed (spawn fails) and installed without a running logind (non-zero exit: no
  // systemd as init, containers) both mean "no logind".
  const answered = await run(LOGINCTL, LIST_SESSIONS_ARGS).then(
    (r) => r.code === 0,
    () => false,
  );
  if (answered) return 'logind';
  return access(utmpPath).then(
    () => 'utmp' as const,
    () => 'none' as const,
  );
}
