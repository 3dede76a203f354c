/**
 * Windows terminals: cmd.exe in the CMD slot and Windows PowerShell (powershell.exe) in the other, both by full
 * path under %SystemRoot%, through ConPTY where Windows has it (build 18309 and later) and winpty (shipped with
 * node-pty) where it does not. Wine (the Windows test tier) reports a recent Windows 10 build but has no ConPTY: a
 * ConPTY shell there exits at once having printed only its title, while winpty runs cmd.exe interactively, so under
 * Wine (told by ntdll.dll's `wine_get_version` export, through koffi) the winpty path is taken. Output is UTF-8:
 * cmd.exe is started with code page 65001 (`/k chcp 65001>nul`, a fixed string with nothing from the operator in
 * it), PowerShell with UTF-8 console encodings. Ending a terminal
 * ends its tree with `taskkill /PID n /T /F`.
 *
 * Shells run as the agent's account (LocalSystem). A shell as the signed-in user needs that user's token and
 * CreateProcessAsUser, which node-pty does not do: it is refused as not supported, in words, until the agent's
 * session helper (docs/windows.md) can start it.
 */
import { existsSync } from 'node:fs';
import { release, userInfo } from 'node:os';
import { spawn as spawnPty } from 'node-pty';
import { done, refuse } from '../../../shared/tools-results.js';
import { createRawRunner, system32, systemRoot as checkedSystemRoot, type RawRunner } from '../windows-console.js';
import { parseTaskkill } from '../processes/windows.js';
import { POWERSHELL_MISSING, type TerminalBackend, type TerminalSlot } from './backend.js';
import { ptyTerminal } from './pty-terminal.js';

export interface WindowsTerminalOptions {
  systemRoot?: string;
  /** os.release(), e.g. "10.0.19045". */
  osRelease?: string;
  run?: RawRunner;
  env?: NodeJS.ProcessEnv;
  exists?: (file: string) => boolean;
  /** Forces node-pty's path (ConPTY or winpty) instead of choosing it. */
  useConpty?: boolean;
  /** Whether this is Wine; asked of ntdll.dll once when not given. */
  underWine?: boolean;
  /** The agent's account as Windows names it (SYSTEM for the service). */
  accountName?: string;
}

/** ConPTY arrived in Windows 10 1809; node-pty needs build 18309 for it. Wine has none, whatever it reports. */
export function conptyAvailable(osRelease: string, wine = false): boolean {
  if (wine) return false;
  const build = Number(osRelease.split('.')[2]);
  return Number.isInteger(build) && build >= 18309;
}

/** Whether this Windows is Wine: its ntdll.dll exports wine_get_version, which no Windows' does. */
export async function runningUnderWine(): Promise<boolean> {
  try {
    const koffi = (await import('koffi')).default;
    koffi.load('ntdll.dll').func('const char *wine_get_version()');
    return true;
  } catch {
    return false;
  }
}

const PS_UTF8 = '[Console]::InputEncoding = [Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)';

/** The shell of a slot: its full path and arguments. */
export function windowsShell(slot: TerminalSlot, root: string): { file: string; args: string[] } {
  if (slot === 'cmd') return { file: system32(root, 'cmd.exe'), args: ['/d', '/k', 'chcp 65001>nul'] };
  return {
    file: system32(root, 'WindowsPowerShell', 'v1.0', 'powershell.exe'),
    args: ['-NoLogo', '-NoExit', '-ExecutionPolicy', 'Bypass', '-Command', PS_UTF8],
  };
}

const warning = (name: string) =>
  `This shell runs as ${name}, the agent's account, on no one's desktop: a program with windows started from it ` +
  'shows them to nobody.';

export function createWindowsTerminalBackend(opts: WindowsTerminalOptions = {}): TerminalBackend {
  const root = checkedSystemRoot(opts.systemRoot);
  const run = opts.run ?? createRawRunner();
  const exists = opts.exists ?? existsSync;
  let useConpty: Promise<boolean> | undefined;
  const choosePath = () =>
    (useConpty ??=
      opts.useConpty !== undefined
        ? Promise.resolve(opts.useConpty)
        : (opts.underWine !== undefined ? Promise.resolve(opts.underWine) : runningUnderWine()).then((wine) =>
            conptyAvailable(opts.osRelease ?? release(), wine),
          ));
  const accountName = opts.accountName ?? userInfo().username;

  const killTree = async (pid: number, exited: boolean) => {
    if (exited) return { ended: [], allGone: true };
    const r = await run(system32(root, 'taskkill.exe'), ['/PID', String(pid), '/T', '/F']);
    const outcome = parseTaskkill({
      code: r.code,
      stdout: r.stdout.toString('latin1'),
      stderr: r.stderr.toString('latin1'),
    });
    return { ended: outcome.ended, allGone: outcome.failed.length === 0 };
  };

  return {
    async open({ slot, account, cols, rows }) {
      if (account.kind === 'user')
        return refuse(
          'not-supported',
          "A terminal as the signed-in user is not available on Windows yet: open one as the agent's account instead.",
        );
      const shell = windowsShell(slot, root);
      if (!exists(shell.file))
        return slot === 'powershell'
          ? refuse('not-installed', POWERSHELL_MISSING)
          : refuse('spawn-failed', `${shell.file} is missing on this device.`);
      const conpty = await choosePath();
      try {
        const pty = spawnPty(shell.file, shell.args, {
          name: 'xterm-256color',
          cols,
          rows,
          cwd: root.slice(0, 3),
          env: opts.env ?? process.env,
          useConpty: conpty,
        });
        return done(ptyTerminal(pty, { kind: 'agent', name: accountName }, [warning(accountName)], killTree));
      } catch (err) {
        return refuse('spawn-failed', `${shell.file} could not be started: ${(err as Error).message}`);
      }
    },
  };
}
