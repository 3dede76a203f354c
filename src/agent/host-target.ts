/**
 * Where the host for an assistance runs: in the user session the relay named (session-level
 * assistances, dynamic ones), else at the console's active user, else on the agent's own display
 * (a kiosk whose agent runs in its X session). On Linux the session's X display is what matters.
 */
import type { UserSession } from '../shared/user-sessions.js';

export interface HostTarget {
  userSessionId?: string;
  display?: string;
  /** The account of that session, which the host runs as when the agent is root. */
  user?: string;
}

export type HostTargetChoice = { ok: true; target: HostTarget } | { ok: false; message: string };

export function chooseHostTarget(
  sessions: readonly UserSession[],
  requested: string | undefined,
  ownDisplay: string | undefined,
): HostTargetChoice {
  if (requested !== undefined) {
    const session = sessions.find((s) => s.id === requested);
    // Never a different session than the one asked for: that would be someone else's desktop.
    if (!session) return { ok: false, message: `user session ${requested} is not on this device any more` };
    return { ok: true, target: withDisplay(session) };
  }
  const active = sessions.filter((s) => s.state === 'active');
  const chosen = active.find((s) => s.kind === 'console') ?? active.find((s) => s.display !== undefined);
  if (chosen) return { ok: true, target: withDisplay(chosen) };
  return { ok: true, target: ownDisplay ? { display: ownDisplay } : {} };
}

function withDisplay(session: UserSession): HostTarget {
  return { userSessionId: session.id, user: session.user, ...(session.display ? { display: session.display } : {}) };
}
