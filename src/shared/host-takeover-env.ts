/**
 * A host started inside an assistance already running (docs/secure-desktop.md, "Nobody signed in"):
 * the device's agent served the logon screen to an unattended assistance while nobody was signed
 * in; once someone signed in it starts the host in the new session, which takes the assistance's
 * place on the relay with the host resume token the relay gave the agent (the handshake's
 * `resume`, which replaces the agent's connection). Passed in the environment, never on a command
 * line, as the host token is (host-token-env.ts), and taken out at start.
 */
import { z } from 'zod';
import { OperatorIdentity, SessionId } from './protocol.js';

export const HOST_TAKEOVER_ENV = 'FLXRA_HOST_TAKEOVER';

export const HostTakeOver = z.object({
  sessionId: SessionId,
  resumeToken: z.string().min(16).max(256),
  /** Who is in, for the banner the user sees (the relay vouched for them at admission). */
  operator: OperatorIdentity,
});
export type HostTakeOver = z.infer<typeof HostTakeOver>;

export function hostTakeOverEnv(takeOver: HostTakeOver | undefined): Record<string, string> {
  return takeOver ? { [HOST_TAKEOVER_ENV]: JSON.stringify(takeOver) } : {};
}

/** The take-over, removed from `env`; undefined when there is none; throws when it is malformed. */
export function takeHostTakeOver(env: Record<string, string | undefined>): HostTakeOver | undefined {
  const raw = env[HOST_TAKEOVER_ENV];
  delete env[HOST_TAKEOVER_ENV];
  if (!raw) return undefined;
  return HostTakeOver.parse(JSON.parse(raw));
}
