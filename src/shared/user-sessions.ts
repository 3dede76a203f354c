/**
 * The user sessions a device reports (several on shared desktops and VDI hosts), and how
 * dynamic assistance chooses between attended and unattended from them.
 */
import { z } from 'zod';

export const UserSession = z.object({
  /** The platform's own id: a WTS session id on Windows, a logind id or a tty/display on Linux. */
  id: z.string().min(1).max(64),
  user: z.string().min(1).max(256),
  state: z.enum(['active', 'disconnected']),
  /** console = the physical seat; remote = RDP / VDI / SSH-like. */
  kind: z.enum(['console', 'remote']),
  /** X display (Linux) where a host for this session would run, when known. */
  display: z.string().max(64).optional(),
});
export type UserSession = z.infer<typeof UserSession>;

export const UserSessionList = z.array(UserSession).max(256);

export type ResolvedMode = 'attended' | 'unattended';

export interface DynamicChoice {
  mode: ResolvedMode;
  /** Told to the operator: why this mode was chosen. */
  reason: string;
  /** The user session the assistance targets, when there is one. */
  userSessionId?: string;
}

/**
 * Device level: attended when the console (seat) session has an active user, else unattended.
 * Session level (`target` given): attended when that session is active, else unattended.
 */
export function chooseDynamicMode(sessions: readonly UserSession[], target?: string): DynamicChoice {
  if (target !== undefined) {
    const chosen = sessions.find((s) => s.id === target);
    if (!chosen)
      return {
        mode: 'unattended',
        reason: `user session ${target} is not on the device any more; nobody to ask for consent`,
      };
    return chosen.state === 'active'
      ? {
          mode: 'attended',
          reason: `${chosen.user} is active in session ${chosen.id}, so they are asked for consent`,
          userSessionId: chosen.id,
        }
      : {
          mode: 'unattended',
          reason: `${chosen.user}'s session ${chosen.id} is disconnected; nobody is there to consent`,
          userSessionId: chosen.id,
        };
  }
  const seat = sessions.find((s) => s.kind === 'console' && s.state === 'active');
  if (seat) {
    return {
      mode: 'attended',
      reason: `${seat.user} is signed in at the device's console, so they are asked for consent`,
      userSessionId: seat.id,
    };
  }
  return { mode: 'unattended', reason: "nobody is active at the device's console" };
}
