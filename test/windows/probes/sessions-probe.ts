/**
 * Under Wine's node.exe: the session reader of dynamic mode as the agent builds it on Windows
 * (createUserSessionReader, Terminal Services through koffi: src/platform/user-sessions/windows-wts.ts), what
 * Terminal Services itself answered, the size koffi gives WTS_SESSION_INFOW, and the mode dynamic mode picks from
 * the sessions. test/windows/sessions-wine.test.ts checks them against what Wine reports.
 */
import koffi from 'koffi';
import { userInfo } from 'node:os';
import { chooseDynamicMode } from '../../../src/shared/user-sessions.js';
import { createUserSessionReader } from '../../../src/platform/user-sessions/index.js';
import { defineSessionInfo, readWtsSessions } from '../../../src/platform/user-sessions/windows-wts.js';
import { probe } from '../../../dev/wine/probe.js';

probe(async () => {
  const sessions = await createUserSessionReader(process.platform).list();
  return {
    sessions,
    raw: await readWtsSessions(),
    sessionInfoSize: koffi.sizeof(defineSessionInfo(koffi)),
    account: userInfo().username,
    computer: process.env.USERDOMAIN ?? process.env.COMPUTERNAME,
    dynamic: chooseDynamicMode(sessions).mode,
  };
});
