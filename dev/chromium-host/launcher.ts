/**
 * The launcher for tests and the demo: the host page in Chromium (host.ts), run from the
 * source tree through tsx by the same Node as the agent, on the X display of the chosen user
 * session. It is a development launcher: it needs the checkout, which the built agent finds by
 * walking up from where it runs.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HostLaunchRequest } from '../../src/agent/launcher/launcher.js';
import type { ProxyHandover } from '../../src/shared/proxy-handover.js';
import { HOST_TOKEN_ENV } from '../../src/shared/host-token-env.js';
import { hostTakeOverEnv } from '../../src/shared/host-takeover-env.js';
import { verificationEnv } from '../../src/shared/verification-policy.js';
import { createSpawnLauncher, type LaunchCommand } from '../../src/agent/launcher/spawn-launcher.js';

const CHROMIUM_HOST = 'dev/chromium-host/host.ts';

/** The checkout's dev/chromium-host/host.ts, from this folder or from the built out/dev/. */
export function findChromiumHost(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CHROMIUM_HOST);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir)
      throw new Error(`the Chromium launcher needs flxra's source tree (${CHROMIUM_HOST}) above ${from}`);
  }
}

export function chromiumHostCommand(
  request: HostLaunchRequest,
  baseEnv: NodeJS.ProcessEnv,
  hostScript = findChromiumHost(),
): LaunchCommand {
  if (!request.display) throw new Error('the Chromium host needs an X display');
  return {
    file: process.execPath,
    // By absolute URL: the agent may run from any directory.
    args: ['--import', import.meta.resolve('tsx'), hostScript, '--relay', request.relayUrl],
    env: {
      ...baseEnv,
      DISPLAY: request.display,
      [HOST_TOKEN_ENV]: request.hostToken,
      ...hostTakeOverEnv(request.takeOver),
      ...verificationEnv(request.verification),
    },
  };
}

export function createChromiumLauncher(opts: { log: (line: string) => void; proxyHandover?: ProxyHandover }) {
  const hostScript = findChromiumHost();
  return createSpawnLauncher({
    command: (request) => chromiumHostCommand(request, process.env, hostScript),
    log: opts.log,
    ...(opts.proxyHandover ? { proxyHandover: opts.proxyHandover } : {}),
  });
}
