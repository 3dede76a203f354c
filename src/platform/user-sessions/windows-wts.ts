/**
 * The Windows sessions straight from Terminal Services, in the agent's own process through koffi (already a
 * dependency, with prebuilt binaries), instead of the planned separate helper or the localized `query user` text:
 * WTSEnumerateSessionsW for the sessions, WTSQuerySessionInformationW for each one's user and domain. It returns
 * exactly what the helper's contract says it prints (windows-wts-helper.ts), and the same mapping reads it.
 *
 * Wine (the Windows test tier) enumerates no sessions at all, while it does report an active console session
 * (WTSGetActiveConsoleSessionId gives 1, with the Wine user's name) and leaves WTSWinStationName and
 * WTSConnectState unimplemented. Windows always enumerates at least session 0 and the console, so when the
 * enumeration is empty the active console session is reported on its own, as the Console and active (a session
 * attached to the console with a user at it is, by definition). koffi is loaded only when this runs.
 */
import { WTS_STATES, type WtsHelperOutput } from './windows-wts-helper.js';

/** WTS_INFO_CLASS values (wtsapi32.h). */
const WTS_USER_NAME = 5;
const WTS_DOMAIN_NAME = 7;
const NO_CONSOLE_SESSION = 0xffff_ffff;

type Koffi = typeof import('koffi').default;

/** WTS_SESSION_INFOW: DWORD SessionId; LPWSTR pWinStationName; WTS_CONNECTSTATE_CLASS State (24 bytes on x64). */
export function defineSessionInfo(koffi: Koffi) {
  return koffi.struct({
    SessionId: 'uint32_t',
    pWinStationName: 'char16_t *',
    State: 'int32_t',
  });
}

export async function readWtsSessions(): Promise<WtsHelperOutput> {
  const koffi = (await import('koffi')).default;
  const SessionInfo = defineSessionInfo(koffi);
  const wts = koffi.load('wtsapi32.dll');
  const kernel32 = koffi.load('kernel32.dll');
  const enumerate = wts.func(
    'int __stdcall WTSEnumerateSessionsW(void *server, uint32_t reserved, uint32_t version, _Out_ void **info, _Out_ uint32_t *count)',
  );
  const query = wts.func(
    'int __stdcall WTSQuerySessionInformationW(void *server, uint32_t id, int infoClass, _Out_ void **buffer, _Out_ uint32_t *bytes)',
  );
  const free = wts.func('void __stdcall WTSFreeMemory(void *memory)');
  const activeConsole = kernel32.func('uint32_t __stdcall WTSGetActiveConsoleSessionId()');

  const text = (id: number, infoClass: number): string => {
    const buffer: unknown[] = [null];
    const bytes = [0];
    if (!query(null, id, infoClass, buffer, bytes) || !buffer[0]) return '';
    try {
      return bytes[0]! >= 2 ? (koffi.decode(buffer[0], 'char16_t', bytes[0]! / 2 - 1) as string) : '';
    } finally {
      free(buffer[0]);
    }
  };
  const user = (id: number) => ({ UserName: text(id, WTS_USER_NAME), Domain: text(id, WTS_DOMAIN_NAME) });

  const info: unknown[] = [null];
  const count = [0];
  // WTS_CURRENT_SERVER_HANDLE is NULL; version must be 1.
  if (!enumerate(null, 0, 1, info, count)) throw new Error('WTSEnumerateSessionsW failed');
  const sessions: WtsHelperOutput = [];
  try {
    if (count[0]! > 0) {
      const rows = koffi.decode(info[0], SessionInfo, count[0]!) as {
        SessionId: number;
        pWinStationName: string | null;
        State: number;
      }[];
      for (const row of rows) {
        const state = WTS_STATES[row.State];
        if (!state)
          throw new Error(`WTSEnumerateSessionsW: session ${row.SessionId} has an unknown state ${row.State}`);
        sessions.push({
          SessionId: row.SessionId,
          WinStationName: row.pWinStationName ?? '',
          State: state,
          ...user(row.SessionId),
        });
      }
    }
  } finally {
    if (info[0]) free(info[0]);
  }
  if (sessions.length === 0) {
    const id = activeConsole() as number;
    if (id !== NO_CONSOLE_SESSION)
      sessions.push({ SessionId: id, WinStationName: 'Console', State: 'WTSActive', ...user(id) });
  }
  return sessions;
}
