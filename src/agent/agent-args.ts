/**
 * The agent's command line:
 *
 *   agent --relay <url> --enroll-file <file|->   first run: enrol, keep the credential, then serve
 *   agent [--relay <url>]                        later runs: the stored enrolment and credential
 *
 * The enrolment token is read from a file or standard input (`-`), never taken on the command
 * line, where every user of the machine can read it in the process list.
 * with --state-dir <dir> (its state, and its credential when there is no keychain), --launcher
 * electron|chromium (how hosts start: the installed app, or the host page in Chromium for tests
 * and the demo; absent, chosen by launcher-choice.ts), --app <path> (the
 * installed app), --config <file> (the device's own settings, config.ts), --utmp <path>
 * (Linux: the utmp file to read sessions from when logind is not running) and --proxy <url> (the
 * explicit proxy setting, proxy-setting.ts; without a password: a password is kept in the
 * keychain, never on the command line).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfigPath } from './config.js';
import { secureRelayUrl } from '../shared/relay-url.js';
import { defaultStateDir } from './state.js';

export type LauncherKind = 'electron' | 'chromium';

export interface AgentArgs {
  relayUrl?: string;
  /** Where the enrolment token is read from: a file, or `-` for standard input. */
  enrolmentTokenFrom?: string;
  /** Absolute. */
  stateDir: string;
  /** Absent: chosen when the agent starts (launcher-choice.ts). */
  launcher?: LauncherKind;
  app: string;
  /** The configuration file (config.ts): absent, the defaults apply. */
  configPath: string;
  utmpPath?: string;
  /** `--proxy`: the explicit proxy setting (Proxy_Url), never with a password. */
  proxyUrl?: string;
}

export const AGENT_USAGE = `usage:
  agent --relay <url> --enroll-file <file> [options]   enrol this device with the token in <file>, then run
  agent --relay <url> --enroll-file - [options]        the same, the token read from standard input
  agent [--relay <url>] [options]                      run with the stored enrolment
options:
  --state-dir <dir>               where the agent keeps its state (and its credential, without a keychain)
  --launcher electron|chromium    how hosts are started (default: electron when the app is installed,
                                  else chromium where this agent has it; the log says which)
  --app <path>                    the installed flxra app (default ${defaultApp()})
  --config <file>                 the device's settings (default ${defaultConfigPath()})
  --utmp <path>                   Linux: the utmp file read when logind is not running
  --proxy <url>                   the proxy to the relay: http://[user@]host:port, pac+http://…/proxy.pac or direct
                                  (also FLXRA_PROXY_URL, or Proxy_Url in the settings; a password goes there, once)`;

/** A mistake in how the agent was called: exit code 2 with the usage. */
export class UsageError extends Error {}

function defaultApp(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'C:\\Program Files\\flxra\\flxra.exe' : '/opt/flxra/flxra';
}

/** Said to whoever still passes the token itself: where it would be seen, and what to do instead. */
export const TOKEN_ON_COMMAND_LINE =
  'the enrolment token is not taken on the command line: every user of this machine can read a ' +
  "process's arguments. Put it in a file only the agent's user can read and pass --enroll-file <file>, " +
  'or pipe it in with --enroll-file -';

/** Said to whoever gives the proxy's password in --proxy: where it would be seen, and where it goes instead. */
export const PASSWORD_ON_COMMAND_LINE =
  "--proxy: the proxy's password is not taken on the command line, where every user of this machine can read it. " +
  'Put http://user:password@host:port once in Proxy_Url in the configuration file (or FLXRA_PROXY_URL): the agent ' +
  'moves the password to the keychain and keeps only the user name there; --proxy http://user@host:port then uses it';

function hasPassword(url: string): boolean {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`).password !== '';
  } catch {
    return false;
  }
}

export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  if (argv.some((arg) => arg === '--enroll' || arg.startsWith('--enroll=') || arg === '--enrol'))
    throw new UsageError(TOKEN_ON_COMMAND_LINE);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        relay: { type: 'string' },
        'enroll-file': { type: 'string' },
        'state-dir': { type: 'string' },
        launcher: { type: 'string' },
        app: { type: 'string' },
        config: { type: 'string' },
        utmp: { type: 'string' },
        proxy: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // https only, but for a relay on this computer (src/shared/relay-url.ts).
  const relay = values.relay === undefined ? undefined : secureRelayUrl(values.relay);
  if (relay && !relay.ok) throw new UsageError(`--relay: ${relay.message}`);
  const tokenFrom = values['enroll-file'];
  if (tokenFrom !== undefined && values.relay === undefined)
    throw new UsageError('--enroll-file needs --relay: the relay to enrol with');
  if (tokenFrom === '') throw new UsageError('--enroll-file needs a file, or - for standard input');
  const launcher = values.launcher;
  if (launcher !== undefined && launcher !== 'electron' && launcher !== 'chromium')
    throw new UsageError(`--launcher "${launcher}": electron or chromium`);
  const proxy = values.proxy;
  if (proxy !== undefined && hasPassword(proxy)) throw new UsageError(PASSWORD_ON_COMMAND_LINE);
  return {
    ...(relay ? { relayUrl: relay.url } : {}),
    ...(tokenFrom !== undefined ? { enrolmentTokenFrom: tokenFrom } : {}),
    stateDir: path.resolve(values['state-dir'] ?? defaultStateDir()),
    ...(launcher !== undefined ? { launcher } : {}),
    app: values.app ?? defaultApp(),
    configPath: values.config ?? defaultConfigPath(),
    ...(values.utmp !== undefined ? { utmpPath: values.utmp } : {}),
    ...(proxy !== undefined ? { proxyUrl: proxy } : {}),
  };
}
