/**
 * The launcher for tests and the demo: the host page in Chromium (chromium-host.ts), run by the
 * same Node as the agent through tsx, on the X display of the chosen user session.
 */
import { fileURLToPath } from 'node:url';
import type { HostLaunchRequest } from './launcher.js';
import { HOST_TOKEN_ENV } from './host-token-env.js';
import { createSpawnLauncher, type LaunchCommand } from './spawn-launcher.js';

const CHROMIUM_HOST = fileURLToPath(new URL('./chromium-host.ts', import.meta.url));

export function chromiumHostCommand(request: HostLaunchRequest, baseEnv: NodeJS.ProcessEnv): LaunchCommand {
  if (!request.display) throw new Error('the Chromium host needs an X display');
  return {
    file: process.execPath,
    // By absolute URL: the agent may run from any directory.
    args: ['--import', import.meta.resolve('tsx'), CHROMIUM_HOST, '--relay', request.relayUrl],
    env: { ...baseEnv, DISPLAY: request.display, [HOST_TOKEN_ENV]: request.hostToken },
  };
}

export function createChromiumLauncher(opts: { log(line: string): void }) {
  return createSpawnLauncher({ command: (request) => chromiumHostCommand(request, process.env), log: opts.log });
}
