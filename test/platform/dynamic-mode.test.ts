/**
 * Each reader's parsed output, from the same fixtures as the parser tests, fed into the contract:
 * it validates as a UserSessionList, and chooseDynamicMode takes its three branches on it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chooseDynamicMode, UserSessionList, type UserSession } from '../../src/shared/user-sessions.js';
import { parseShowSession } from '../../src/platform/user-sessions/logind.js';
import { parseUtmp } from '../../src/platform/user-sessions/utmp.js';
import { utmpSessions } from '../../src/platform/user-sessions/utmp-sessions.js';
import { parseQueryUser } from '../../src/platform/user-sessions/windows-query-user.js';
import { parseWtsHelperOutput } from '../../src/platform/user-sessions/windows-wts-helper.js';

const text = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const contract = (sessions: UserSession[]) => UserSessionList.parse(sessions);

/** loginctl's fixture without alice's active seat0 session (block "Id=2"). */
const showSessionWithoutSeatUser = text('loginctl-show-session.txt')
  .split(/\n\n/)
  .filter((b) => !b.startsWith('Id=2\n'))
  .join('\n\n');

const platforms = [
  {
    name: 'Linux logind',
    withConsoleUser: () => contract(parseShowSession(text('loginctl-show-session.txt'))),
    withoutConsoleUser: () => contract(parseShowSession(showSessionWithoutSeatUser)),
    attended: '2',
    disconnected: '7',
  },
  {
    name: 'Windows query user',
    withConsoleUser: () => contract(parseQueryUser(text('query-user-console.txt'))),
    withoutConsoleUser: () => contract(parseQueryUser(text('query-user-windows-md.txt'))),
    attended: '1',
    disconnected: '4',
  },
  {
    name: 'Windows WTS helper',
    withConsoleUser: () => contract(parseWtsHelperOutput(text('wts-helper-workstation.json'))),
    withoutConsoleUser: () => contract(parseWtsHelperOutput(text('wts-helper-rds-host.json'))),
    attended: '1',
    disconnected: '3',
  },
];

for (const p of platforms) {
  test(`${p.name}: an active console user → attended, with that session`, () => {
    const choice = chooseDynamicMode(p.withConsoleUser());
    assert.equal(choice.mode, 'attended', choice.reason);
    assert.equal(choice.userSessionId, p.attended);
  });

  test(`${p.name}: no active console user → unattended`, () => {
    const sessions = p.withoutConsoleUser();
    assert.ok(sessions.length > 0, 'other users are signed in, just not at the console');
    assert.deepEqual(chooseDynamicMode(sessions), {
      mode: 'unattended',
      reason: "nobody is active at the device's console",
    });
  });

  test(`${p.name}: a session-level request for a disconnected session → unattended`, () => {
    const sessions = [...p.withConsoleUser(), ...p.withoutConsoleUser()];
    assert.equal(sessions.find((s) => s.id === p.disconnected)?.state, 'disconnected');
    const choice = chooseDynamicMode(sessions, p.disconnected);
    assert.equal(choice.mode, 'unattended', choice.reason);
    assert.equal(choice.userSessionId, p.disconnected);
  });
}

// utmp knows no 'disconnected' (see utmp-sessions.ts): its third branch is a target whose login
// has ended, which the contract also answers with unattended.
const utmpFixture = readFileSync(new URL('./fixtures/glibc-utmp.bin', import.meta.url));
const utmpRead = (alive: (pid: number) => boolean) => contract(utmpSessions(parseUtmp(utmpFixture), alive));

test('Linux utmp: an active console user → attended, with that session', () => {
  const choice = chooseDynamicMode(utmpRead(() => true));
  assert.equal(choice.mode, 'attended', choice.reason);
  assert.equal(choice.userSessionId, ':0');
});

test('Linux utmp: only a remote login alive → unattended', () => {
  const sessions = utmpRead((pid) => pid === 1002);
  assert.deepEqual(
    sessions.map((s) => s.kind),
    ['remote'],
  );
  assert.equal(chooseDynamicMode(sessions).mode, 'unattended');
});

test('Linux utmp: a session-level request for a login that has ended → unattended', () => {
  const choice = chooseDynamicMode(
    utmpRead((pid) => pid !== 1001),
    ':0',
  );
  assert.equal(choice.mode, 'unattended', choice.reason);
  assert.match(choice.reason, /not on the device any more/);
});
