/**
 * The session reader of dynamic mode, as the agent builds it on Windows (createUserSessionReader with Terminal
 * Services through koffi, src/platform/user-sessions/windows-wts.ts), run for real under Wine's node.exe. Wine
 * reports one console session (WTSGetActiveConsoleSessionId 1, the Linux user's name, the computer as domain) and
 * enumerates none: the reader must find that session, and dynamic mode must treat the device as attended.
 * The enumeration's struct (WTS_SESSION_INFOW) never fills under Wine, so its size is checked against the SDK's.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { test } from 'node:test';
import { startWineSession } from '../../dev/wine/wine-session.js';

test("Wine's one console session, read by the agent's Windows session reader; dynamic mode: attended", async () => {
  // Terminal Services need no display: the session's programs show no windows.
  const wine = await startWineSession({ display: '' });
  try {
    const r = await wine.runNode<{
      sessions: unknown[];
      raw: unknown[];
      sessionInfoSize: number;
      account: string;
      computer: string;
      dynamic: string;
    }>('test/windows/probes/sessions-probe.ts', {});
    // Wine's Windows user is the Linux user running it.
    assert.equal(r.account, userInfo().username);
    assert.ok(r.computer, 'Wine names the computer (USERDOMAIN)');
    assert.deepEqual(r.raw, [
      { SessionId: 1, WinStationName: 'Console', State: 'WTSActive', UserName: r.account, Domain: r.computer },
    ]);
    assert.deepEqual(r.sessions, [{ id: '1', user: `${r.computer}\\${r.account}`, state: 'active', kind: 'console' }]);
    assert.equal(r.dynamic, 'attended');
    // sizeof(WTS_SESSION_INFOW) on x64: DWORD, padding, LPWSTR, WTS_CONNECTSTATE_CLASS, padding.
    assert.equal(r.sessionInfoSize, 24);
  } finally {
    await wine.close();
  }
});
