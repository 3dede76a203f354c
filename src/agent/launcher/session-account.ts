/**
 * Linux: the account a user session belongs to, and the environment a program in that user's
 * X session expects. An agent running as root (a system service) must start the host as the
 * session's user: a root process on someone's desktop would be both wrong (root-owned windows,
 * no access to the user's X authority) and dangerous (the operator's input driving a root app).
 *
 * Accounts are looked up through `getent passwd`, so directory users (LDAP, SSSD, winbind) are
 * found as well as local ones.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface SessionAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The account of a passwd line (name:password:uid:gid:gecos:home:shell). */
export function parsePasswdLine(line: string): SessionAccount {
  const fields = line.trim().split(':');
  const [name, , uid, gid, , home] = fields;
  if (fields.length < 7 || !name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '') || !home) {
    throw new Error(`not a passwd entry: ${JSON.stringify(line)}`);
  }
  return { name, uid: Number(uid), gid: Number(gid), home };
}

/** Runs `getent passwd <name>`: its output, or null when there is no such account. */
export type PasswdLookup = (name: string) => string | null;

const getent: PasswdLookup = (name) => {
  try {
    return execFileSync('getent', ['passwd', name], { encoding: 'utf8', timeout: 5_000 });
  } catch (err) {
    // Exit code 2: no such key. Anything else (no getent at all) is the machine's problem.
    if ((err as { status?: number }).status === 2) return null;
    throw new Error(`cannot look up the account ${name}: ${(err as Error).message}`, { cause: err });
  }
};

export function lookUpAccount(name: string, lookup: PasswdLookup = getent): SessionAccount {
  // A name from a session report goes to getent as an argument, never through a shell; a leading
  // dash or a colon could still confuse it, and no real account name has either.
  if (!/^[\w.][\w.@-]*$/.test(name)) throw new Error(`"${name}" is not an account name`);
  const line = lookup(name);
  if (line === null) throw new Error(`the user session's account ${name} does not exist on this device`);
  const account = parsePasswdLine(line.split('\n')[0]!);
  if (account.uid === 0) throw new Error('hosts are never started as root: the user session belongs to root');
  return account;
}

export interface SessionEnvironmentOptions {
  /**
   * The agent's environment: only the locale, PATH and the extra authorities the relay's
   * certificate is checked against (NODE_EXTRA_CA_CERTS, a file's path) and its proxy setting
   * (FLXRA_PROXY_URL, which the agent leaves there without any password) are carried over,
   * never its secrets.
   */
  base: NodeJS.ProcessEnv;
  /** Where logind puts per-user runtime folders. */
  runtimeRoot?: string;
  exists?: (file: string) => boolean;
}

/** What a program started in that user's X session needs: who it is, its display, its X authority, its session bus. */
export function sessionEnvironment(
  account: SessionAccount,
  display: string | undefined,
  opts: SessionEnvironmentOptions,
): NodeJS.ProcessEnv {
  const exists = opts.exists ?? existsSync;
  const runtimeDir = path.join(opts.runtimeRoot ?? '/run/user', String(account.uid));
  const env: NodeJS.ProcessEnv = {
    PATH: opts.base.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: account.home,
    USER: account.name,
    LOGNAME: account.name,
  };
  // The host reaches the same relay as the agent: it trusts its certificate the same way.
  for (const key of ['LANG', 'LC_ALL', 'LANGUAGE', 'TZ', 'NODE_EXTRA_CA_CERTS', 'FLXRA_PROXY_URL'] as const) {
    if (opts.base[key] !== undefined) env[key] = opts.base[key];
  }
  if (display) env.DISPLAY = display;
  // GDM keeps the X authority in the runtime folder; startx and LightDM in the home folder.
  const xauthority = [path.join(runtimeDir, 'gdm', 'Xauthority'), path.join(account.home, '.Xauthority')].find(exists);
  if (xauthority) env.XAUTHORITY = xauthority;
  if (exists(runtimeDir)) {
    env.XDG_RUNTIME_DIR = runtimeDir;
    // The keychain (Secret Service) and notifications are reached over the user's session bus.
    if (exists(path.join(runtimeDir, 'bus')))
      env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${path.join(runtimeDir, 'bus')}`;
  }
  return env;
}
