/**
 * The product launcher on Linux: the installed flxra app in host mode, on the X display of the
 * chosen user session. What it is told travels as `--host --relay <url>`; the one-time token
 * goes in FLXRA_HOST_TOKEN (see host-token-env.ts), the device's verification setting in
 * FLXRA_VERIFICATION (verification-policy.ts). An agent running as root (the service)
 * starts the app as the session's user, in that user's environment (session-account.ts).
 */
import { existsSync } from 'node:fs';
import type { ProxyHandover } from '../../shared/proxy-handover.js';
import type { HostLaunchRequest } from './launcher.js';
import { HOST_TOKEN_ENV } from '../../shared/host-token-env.js';
import { hostTakeOverEnv } from '../../shared/host-takeover-env.js';
import { verificationEnv } from '../../shared/verification-policy.js';
import { lookUpAccount, sessionEnvironment, type SessionAccount } from './session-account.js';
import { createSpawnLauncher, type LaunchCommand } from './spawn-launcher.js';

/** The arguments the app's parseAppOptions reads as the host role (the same on Windows). */
export function hostModeArgs(relayUrl: string): string[] {
  return ['--host', '--relay', relayUrl];
}

export function electronHostCommand(
  executable: string,
  request: HostLaunchRequest,
  baseEnv: NodeJS.ProcessEnv,
  /** Set when the agent is root: the session's account, which the app then runs as. */
  account?: SessionAccount,
): LaunchCommand {
  const args = hostModeArgs(request.relayUrl);
  if (account) {
    return {
      file: executable,
      args,
      env: {
        ...sessionEnvironment(account, request.display, { base: baseEnv }),
        [HOST_TOKEN_ENV]: request.hostToken,
        ...hostTakeOverEnv(request.takeOver),
        ...verificationEnv(request.verification),
      },
      // Accounts without a home folder (service accounts) start in /.
      runAs: { uid: account.uid, gid: account.gid, cwd: existsSync(account.home) ? account.home : '/' },
    };
  }
  return {
    file: executable,
    args,
    env: {
      ...baseEnv,
      ...(request.display ? { DISPLAY: request.display } : {}),
      [HOST_TOKEN_ENV]: request.hostToken,
      ...hostTakeOverEnv(request.takeOver),
      ...verificationEnv(request.verification),
    },
  };
}

export interface ElectronLauncherOptions {
  executable: string;
  log: (line: string) => void;
  /** Whether the agent runs as root (then hosts start as the session's user). Default: asked of the process. */
  asRoot?: boolean;
  /** The proxy password each host is handed over a pipe (spawn-launcher.ts). */
  proxyHandover?: ProxyHandover;
}

export function createElectronLauncher(opts: ElectronLauncherOptions) {
  const asRoot = opts.asRoot ?? process.getuid?.() === 0;
  return createSpawnLauncher({
    command: (request) => {
      if (!asRoot) return electronHostCommand(opts.executable, request, process.env);
      // Root with no user session to go to: nobody to show a window to, and no one to run as.
      if (!request.user)
        throw new Error(
          "no user session to start the host in: the agent runs as root and starts hosts only as a session's user",
        );
      return electronHostCommand(opts.executable, request, process.env, lookUpAccount(request.user));
    },
    log: opts.log,
    ...(opts.proxyHandover ? { proxyHandover: opts.proxyHandover } : {}),
  });
}
