/**
 * The contract of the planned Windows helper, which asks Terminal Services directly
 * (WTSEnumerateSessionsW, then WTSQuerySessionInformationW for WTSUserName and WTSDomainName)
 * instead of scraping localized `query user` text. It prints one JSON array on stdout, UTF-8,
 * one element per session WTSEnumerateSessions returns, users or not, and exits 0:
 *
 *   [
 *     { "SessionId": 0, "WinStationName": "Services", "State": "WTSDisconnected", "UserName": "", "Domain": "" },
 *     { "SessionId": 1, "WinStationName": "Console", "State": "WTSActive", "UserName": "alice", "Domain": "CORP" }
 *   ]
 *
 * - SessionId: WTS_SESSION_INFO.SessionId.
 * - WinStationName: WTS_SESSION_INFO.pWinStationName ("Console", "RDP-Tcp#3", "" when detached).
 * - State: the WTS_CONNECTSTATE_CLASS enumerator's name, exactly as in wtsapi32.h.
 * - UserName, Domain: "" when the session has no user (session 0, listeners, the logon screen).
 *
 * Mapping: sessions without a user are not user sessions. WTSActive → active, and WTSShadow too
 * (that session's user is at it, watching another). WTSDisconnected → disconnected. The other
 * states (connecting, logging on, resetting, down) are not sessions anyone can be reached in yet
 * or any more, so they are left out. Kind: the "Console" WinStation is the physical seat; any
 * other, including a detached one, is remote.
 */
import { z } from 'zod';
import type { UserSession } from '../../shared/user-sessions.js';

/** WTS_CONNECTSTATE_CLASS's names, in the enum's order (wtsapi32.h): index = the value. */
export const WTS_STATES = [
  'WTSActive',
  'WTSConnected',
  'WTSConnectQuery',
  'WTSShadow',
  'WTSDisconnected',
  'WTSIdle',
  'WTSListen',
  'WTSReset',
  'WTSDown',
  'WTSInit',
] as const;

const WtsSession = z.object({
  SessionId: z.number().int().nonnegative(),
  WinStationName: z.string(),
  State: z.enum(WTS_STATES),
  UserName: z.string(),
  Domain: z.string(),
});
export const WtsHelperOutput = z.array(WtsSession);
export type WtsHelperOutput = z.infer<typeof WtsHelperOutput>;

const STATES: Partial<Record<z.infer<typeof WtsSession>['State'], UserSession['state']>> = {
  WTSActive: 'active',
  WTSShadow: 'active',
  WTSDisconnected: 'disconnected',
};

export function parseWtsHelperOutput(stdout: string): UserSession[] {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (err) {
    throw new Error(`session helper: output is not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = WtsHelperOutput.safeParse(json);
  if (!parsed.success) throw new Error(`session helper: output breaks the contract: ${z.prettifyError(parsed.error)}`);
  return parsed.data.flatMap((s) => {
    const state = STATES[s.State];
    if (!s.UserName || !state) return [];
    return [
      {
        id: String(s.SessionId),
        user: s.Domain ? `${s.Domain}\\${s.UserName}` : s.UserName,
        state,
        kind: s.WinStationName.toLowerCase() === 'console' ? ('console' as const) : ('remote' as const),
      },
    ];
  });
}
