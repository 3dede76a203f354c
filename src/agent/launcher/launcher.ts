/**
 * How the device agent starts the host for an assistance. The agent is plain Node and knows
 * nothing about Electron or browsers: it hands a HostLauncher what to start (which assistance,
 * in which user session, with which one-time token) and later asks it to stop.
 *
 * Implementations: the installed Electron app in host mode (electron.ts), the host page in
 * Chromium for tests and the demo (chromium.ts); on Windows the service will start the same
 * Electron command line in the user's session (windows-launch.ts, docs/windows.md).
 */
import type { AssistanceMode, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import type { VerificationPolicy } from '../../shared/verification-policy.js';
import type { HostTakeOver } from '../../shared/host-takeover-env.js';

export interface HostLaunchRequest {
  /** The assistance the host is for; also how stop() names it. */
  sessionId: SessionId;
  mode: AssistanceMode;
  /** The relay's one-time token for this assistance: passed in the environment, never on a command line. */
  hostToken: string;
  /** The user session the host runs in, when the relay named one. */
  userSessionId?: string;
  /** Linux: the X display of that session. */
  display?: string;
  /** The account the user session belongs to: an agent running as root starts the host as it. */
  user?: string;
  relayUrl: string;
  /** Set when the host takes up an assistance already running (nobody was signed in; host-takeover-env.ts). */
  takeOver?: HostTakeOver;
  /** Who asked; the host shows it to the user. */
  operator: OperatorIdentity;
  /** The device's setting for the verification words, from the agent's configuration (never the relay's). */
  verification: VerificationPolicy;
}

export interface HostHandle {
  pid: number;
  /** Resolves when the host process ends, however it ended (stopped, quit, crashed, killed). */
  exited: Promise<void>;
}

export interface HostLauncher {
  /** Resolves once the host process runs; rejects, saying why, when it cannot be started. */
  start(request: HostLaunchRequest): Promise<HostHandle>;
  /** Stops the host of that assistance, if one runs; resolves once it has exited. */
  stop(sessionId: SessionId): Promise<void>;
  /** Stops every host this launcher started (the agent is shutting down). */
  stopAll(): Promise<void>;
}
