/**
 * Linux terminals: the CMD slot is the account's login shell (its passwd shell, `-l`), the PowerShell slot `pwsh`
 * when it is on the PATH (else "PowerShell is not installed on this device"). As the agent's account, or, when the
 * agent runs as root (the service), as a signed-in user: then the shell starts through `setpriv` with the user's
 * UID, group and supplementary groups (node-pty's own uid/gid options would keep root's groups) in an environment
 * of the user's own, never the agent's. An agent that is not root can only open its own account's shells.
 *
 * The shell leads its own session (node-pty calls setsid), so ending the terminal ends the session: every process
 * the shell started, jobs in their own process groups and orphans left to init included (linux-tree.ts).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { done, refuse } from '../../../shared/tools-results.js';
import { ACCOUNT_NAME, AccountDirectory, type LinuxAccount } from '../linux-accounts.js';
import { killTree, waitGone } from '../processes/linux-tree.js';
import { DESKTOP_VARIABLES, POWERSHELL_MISSING, type TerminalBackend } from './backend.js';
import { ptyTerminal } from './pty-terminal.js';

export interface LinuxTerminalOptions {
  accounts?: AccountDirectory;
  /** The agent's environment: only PATH and the locale are carried into a shell. */
  env?: NodeJS.ProcessEnv;
  /** The agent's UID (root when it is the service). */
  uid?: number;
  procRoot?: string;
  setpriv?: string;
}

const NO_LOGIN = /\/(nologin|false)$/;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** pwsh along the PATH, or where Microsoft's packages put it. */
export function findPwsh(searchPath: string): string | undefined {
  const dirs = [...searchPath.split(':').filter((d) => path.isAbsolute(d)), '/opt/microsoft/powershell/7', '/snap/bin'];
  return dirs.map((d) => path.join(d, 'pwsh')).find(executable);
}

/** What a shell starts with: who it is, where home is, UTF-8, a terminal type xterm.js understands. */
export function shellEnvironment(account: LinuxAccount, base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {
    HOME: account.home,
    USER: account.name,
    LOGNAME: account.name,
    SHELL: account.shell,
    PATH: base.PATH || DEFAULT_PATH,
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    LANG: base.LANG && /utf-?8/i.test(base.LANG) ? base.LANG : 'C.UTF-8',
  };
  for (const key of ['LANGUAGE', 'TZ'] as const) if (base[key]) env[key] = base[key];
  return env;
}

const agentWarning = (name: string) =>
  `This shell runs as ${name}, the agent's account, outside the user's desktop: a program with windows started ` +
  'from it shows them to nobody. Open a terminal as the signed-in user for those.';

export function createLinuxTerminalBackend(opts: LinuxTerminalOptions = {}): TerminalBackend {
  const accounts = opts.accounts ?? new AccountDirectory();
  const base = opts.env ?? process.env;
  const agentUid = opts.uid ?? process.getuid?.() ?? 0;
  const procRoot = opts.procRoot ?? '/proc';
  const setpriv = opts.setpriv ?? ['/usr/bin/setpriv', '/bin/setpriv'].find(existsSync) ?? '/usr/bin/setpriv';

  const killSession = async (pid: number, exited: boolean) => {
    const { ended } = await killTree(pid, { session: true, rootExited: exited, procRoot });
    return { ended, allGone: await waitGone(ended, 2_000, procRoot) };
  };

  return {
    async open({ slot, account: wanted, cols, rows, desktop }) {
      const agent = await accounts.find(String(agentUid));
      if (!agent)
        return refuse('no-such-account', `The agent's own account (UID ${agentUid}) is not in the passwd database.`);
      let account = agent;
      if (wanted.kind === 'user') {
        if (!ACCOUNT_NAME.test(wanted.user)) return refuse('bad-input', `"${wanted.user}" is not an account name.`);
        const user = await accounts.find(wanted.user);
        if (!user) return refuse('no-such-account', `There is no account ${wanted.user} on this device.`);
        if (user.uid !== agentUid && agentUid !== 0)
          return refuse(
            'account-not-allowed',
            `The agent runs as ${agent.name}, not as root, so it can only open terminals as ${agent.name}.`,
          );
        account = user;
      }
      if (NO_LOGIN.test(account.shell))
        return refuse(
          'account-cannot-sign-in',
          `The account ${account.name} cannot sign in (its shell is ${account.shell}).`,
        );
      const env = shellEnvironment(account, base);
      if (wanted.kind === 'user' && desktop)
        for (const key of DESKTOP_VARIABLES) if (desktop[key] !== undefined) env[key] = desktop[key];
      let file: string;
      let args: string[];
      if (slot === 'powershell') {
        const pwsh = findPwsh(env.PATH!);
        if (!pwsh) return refuse('not-installed', POWERSHELL_MISSING);
        [file, args] = [pwsh, ['-Login', '-NoLogo']];
      } else [file, args] = [account.shell, ['-l']];
      if (account.uid !== agentUid) {
        // setpriv execs the shell: the pty's child, its PID and its session stay the shell's.
        args = [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--', file, ...args];
        file = setpriv;
      }
      try {
        const pty = spawnPty(file, args, {
          name: 'xterm-256color',
          cols,
          rows,
          cwd: existsSync(account.home) ? account.home : '/',
          env,
          encoding: 'utf8',
        });
        const kind = wanted.kind;
        const warnings = kind === 'agent' ? [agentWarning(account.name)] : [];
        return done(ptyTerminal(pty, { kind, name: account.name }, warnings, killSession));
      } catch (err) {
        return refuse('spawn-failed', `The shell ${file} could not be started: ${(err as Error).message}`);
      }
    },
  };
}
