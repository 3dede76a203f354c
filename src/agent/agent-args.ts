/**
 * The agent's command line:
 *
 *   agent --relay <url> --enroll <token>   first run: enrol, keep the credential, then serve
 *   agent [--relay <url>]                  later runs: the stored enrolment and credential
 *
 * with --state-dir <dir> (non-secret state), --launcher electron|chromium (how hosts start:
 * the installed app, or the host page in Chromium for tests and the demo), --app <path> (the
 * installed app) and --utmp <path> (Linux: the utmp file to read sessions from when logind is
 * not running).
 */
import { parseArgs } from 'node:util';
import { defaultStateDir } from './state.js';

export type LauncherKind = 'electron' | 'chromium';

export interface AgentArgs {
  relayUrl?: string;
  enrolmentToken?: string;
  stateDir: string;
  launcher: LauncherKind;
  app: string;
  utmpPath?: string;
}

export const AGENT_USAGE = `usage:
  agent --relay <url> --enroll <token> [options]   enrol this device, then run
  agent [--relay <url>] [options]                  run with the stored enrolment
options:
  --state-dir <dir>               where the agent keeps its (non-secret) state
  --launcher electron|chromium    how hosts are started (default electron)
  --app <path>                    the installed flxra app (default ${defaultApp()})
  --utmp <path>                   Linux: the utmp file read when logind is not running`;

/** A mistake in how the agent was called: exit code 2 with the usage. */
export class UsageError extends Error {}

function defaultApp(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'C:\\Program Files\\flxra\\flxra.exe' : '/opt/flxra/flxra';
}

export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        relay: { type: 'string' },
        enroll: { type: 'string' },
        'state-dir': { type: 'string' },
        launcher: { type: 'string' },
        app: { type: 'string' },
        utmp: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.relay !== undefined && !URL.canParse(values.relay))
    throw new UsageError(`--relay "${values.relay}" is not a URL`);
  if (values.enroll !== undefined && values.relay === undefined)
    throw new UsageError('--enroll needs --relay: the relay to enrol with');
  const launcher = values.launcher ?? 'electron';
  if (launcher !== 'electron' && launcher !== 'chromium')
    throw new UsageError(`--launcher "${launcher}": electron or chromium`);
  return {
    ...(values.relay !== undefined ? { relayUrl: values.relay } : {}),
    ...(values.enroll !== undefined ? { enrolmentToken: values.enroll } : {}),
    stateDir: values['state-dir'] ?? defaultStateDir(),
    launcher,
    app: values.app ?? defaultApp(),
    ...(values.utmp !== undefined ? { utmpPath: values.utmp } : {}),
  };
}
