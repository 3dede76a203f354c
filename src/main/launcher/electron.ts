/**
 * The product launcher on Linux: the installed flxra app in host mode, on the X display of the
 * chosen user session. What it is told travels as `--host --relay <url>`; the one-time token
 * goes in FLXRA_HOST_TOKEN (see host-token-env.ts).
 */
import type { HostLaunchRequest } from './launcher.js';
import { HOST_TOKEN_ENV } from './host-token-env.js';
import { createSpawnLauncher, type LaunchCommand } from './spawn-launcher.js';

/** The arguments the app's parseAppOptions reads as the host role (the same on Windows). */
export function hostModeArgs(relayUrl: string): string[] {
  return ['--host', '--relay', relayUrl];
}

export function electronHostCommand(executable: string, request: HostLaunchRequest, baseEnv: NodeJS.ProcessEnv): LaunchCommand {
  return {
    file: executable,
    args: hostModeArgs(request.relayUrl),
    env: {
      ...baseEnv,
      ...(request.display ? { DISPLAY: request.display } : {}),
      [HOST_TOKEN_ENV]: request.hostToken,
    },
  };
}

export function createElectronLauncher(opts: { executable: string; log(line: string): void }) {
  return createSpawnLauncher({ command: (request) => electronHostCommand(opts.executable, request, process.env), log: opts.log });
}
