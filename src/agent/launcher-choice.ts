/**
 * Which launcher starts hosts when `--launcher` is not given: the installed app when its binary
 * is there (`--app`); else the Chromium stand-in when this agent has it (the development agent,
 * dev/chromium-host/agent.ts, where Electron is missing); else still the app, saying that hosts
 * cannot start until it is installed. Whatever is chosen is said in one line of the agent's log.
 */
import type { AgentArgs, LauncherKind } from './agent-args.js';

export interface LauncherChoice {
  kind: LauncherKind;
  /** The agent's log line: which launcher, and why. */
  line: string;
}

export function chooseLauncher(
  args: Pick<AgentArgs, 'launcher' | 'app'>,
  available: readonly LauncherKind[],
  appInstalled: (app: string) => boolean,
): LauncherChoice {
  if (args.launcher === 'chromium')
    return { kind: 'chromium', line: 'hosts start in Chromium, the stand-in for the app (--launcher chromium)' };
  if (args.launcher === 'electron' || appInstalled(args.app))
    return {
      kind: 'electron',
      line: appInstalled(args.app)
        ? `hosts start as the flxra app, ${args.app}`
        : `hosts start as the flxra app, ${args.app}, which is not installed: install it (or give --app <path>) before asking for an assistance`,
    };
  if (available.includes('chromium'))
    return {
      kind: 'chromium',
      line: `hosts start in Chromium, the stand-in for the app: the app is not installed at ${args.app} (--launcher electron or --app <path> to choose it)`,
    };
  return {
    kind: 'electron',
    line: `hosts cannot start yet: the flxra app is not installed at ${args.app}; install it, or give --app <path> (in a checkout without Electron, the development agent, node out/dev/agent.mjs, uses Chromium instead)`,
  };
}
