/**
 * loginctl output parsing, on fixtures written from systemd's loginctl.c and
 * sd_session_get_state(3) / pam_systemd(8): list-sessions rows of v252 (SESSION UID USER SEAT TTY)
 * and v256 (… LEADER CLASS TTY IDLE SINCE), show-session blocks as `-p` prints them (empty
 * values included, one blank line between sessions).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  parseSessionIds,
  parseShowSession,
  readLogindSessions,
  showSessionArgs,
} from '../../src/platform/user-sessions/logind.js';
import type { CommandResult } from '../../src/platform/user-sessions/run-command.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const showSessionFixture = fixture('loginctl-show-session.txt');

test('list-sessions: the ids of v252 and v256 rows alike', () => {
  assert.deepEqual(parseSessionIds(fixture('loginctl-list-sessions-v252.txt')), [
    '2',
    '5',
    '7',
    '9',
    '11',
    '12',
    '13',
    'c1',
  ]);
  assert.deepEqual(parseSessionIds(fixture('loginctl-list-sessions-v256.txt')), ['2', 'c1']);
  assert.deepEqual(parseSessionIds(''), []);
});

test('list-sessions: a row that does not start with an id is an error, not an argument', () => {
  assert.throws(() => parseSessionIds('     -p 1000 alice\n'), /"-p 1000 alice" does not start with a session id/);
});

test('show-session: user sessions with their state, kind and display', () => {
  assert.deepEqual(parseShowSession(showSessionFixture), [
    { id: '2', user: 'alice', state: 'active', kind: 'console', display: ':0' },
    { id: '5', user: 'bob', state: 'active', kind: 'remote' },
    // Switched away from on the seat (fast user switching): nobody is looking at it.
    { id: '7', user: 'carol', state: 'disconnected', kind: 'console', display: ':1' },
    // 9: closing (logged out) → left out. 11: root's ssh login, class user-early since v256.
    { id: '11', user: 'root', state: 'active', kind: 'remote' },
    // 12: background (cron) → left out. 13: su, no seat, not remote → not at the seat.
    { id: '13', user: 'frank', state: 'active', kind: 'remote' },
    // c1: the greeter → left out.
  ]);
});

test('show-session: an unknown state, a block without Name, or a line without = are errors', () => {
  assert.throws(
    () => parseShowSession('Id=4\nName=alice\nSeat=seat0\nRemote=no\nClass=user\nState=sleeping\n'),
    /session 4 has state "sleeping"/,
  );
  assert.throws(() => parseShowSession('Id=4\nSeat=seat0\nClass=user\nState=active\n'), /without Name/);
  assert.throws(() => parseShowSession('Id=4\nName alice\n'), /"Name alice" is not a Key=Value line/);
  // An opening session is not yet logged in, and not an error.
  assert.deepEqual(parseShowSession('Id=4\nName=alice\nSeat=seat0\nRemote=no\nClass=user\nState=opening\n'), []);
});

/** A loginctl that answers from a script, recording what it was asked. */
function fakeLoginctl(answers: Record<string, CommandResult[]>) {
  const calls: string[] = [];
  const run = async (file: string, args: readonly string[]) => {
    assert.equal(file, 'loginctl');
    calls.push(args[0] ?? '');
    const next = answers[args[0] ?? '']?.shift();
    if (!next) throw new Error(`unexpected loginctl ${args.join(' ')}`);
    return next;
  };
  return { run, calls };
}
const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '' });

test('readLogindSessions asks show-session about the listed ids, with the properties it maps', async () => {
  assert.deepEqual(showSessionArgs(['2', 'c1']), [
    'show-session',
    '2',
    'c1',
    '-p',
    'Id',
    '-p',
    'Name',
    '-p',
    'State',
    '-p',
    'Class',
    '-p',
    'Seat',
    '-p',
    'Remote',
    '-p',
    'Display',
  ]);
  let asked: readonly string[] = [];
  const run = async (_file: string, args: readonly string[]) => {
    if (args[0] === 'list-sessions') return ok(fixture('loginctl-list-sessions-v256.txt'));
    asked = args;
    return ok(
      'Id=2\nName=alice\nSeat=seat0\nDisplay=:0\nRemote=no\nClass=user\nState=active\n\nId=c1\nName=gdm\nSeat=seat0\nDisplay=\nRemote=no\nClass=greeter\nState=online\n',
    );
  };
  assert.deepEqual(await readLogindSessions(run), [
    { id: '2', user: 'alice', state: 'active', kind: 'console', display: ':0' },
  ]);
  assert.deepEqual(asked, showSessionArgs(['2', 'c1']));
});

test('no sessions: show-session is not run (it would describe the manager)', async () => {
  const { run, calls } = fakeLoginctl({ 'list-sessions': [ok('')] });
  assert.deepEqual(await readLogindSessions(run), []);
  assert.deepEqual(calls, ['list-sessions']);
});

test('a session ending between the two calls: retried once with a fresh list', async () => {
  const gone: CommandResult = {
    code: 1,
    stdout: '',
    stderr: "Failed to get path for session '7': No session '7' known",
  };
  const { run, calls } = fakeLoginctl({
    'list-sessions': [
      ok('      2 1000 alice seat0 tty2\n      7 1002 carol seat0 tty3\n'),
      ok('      2 1000 alice seat0 tty2\n'),
    ],
    'show-session': [gone, ok('Id=2\nName=alice\nSeat=seat0\nDisplay=\nRemote=no\nClass=user\nState=active\n')],
  });
  assert.deepEqual(await readLogindSessions(run), [{ id: '2', user: 'alice', state: 'active', kind: 'console' }]);
  assert.deepEqual(calls, ['list-sessions', 'show-session', 'list-sessions', 'show-session']);

  const failing = fakeLoginctl({ 'list-sessions': [ok('2\n'), ok('2\n')], 'show-session': [gone, gone] });
  await assert.rejects(
    readLogindSessions(failing.run),
    /show-session failed twice \(exit 1: Failed to get path for session '7'/,
  );
});

test('list-sessions failing is reported with its message', async () => {
  const { run } = fakeLoginctl({
    'list-sessions': [{ code: 1, stdout: '', stderr: 'Failed to connect to bus: Host is down\n' }],
  });
  await assert.rejects(
    readLogindSessions(run),
    /list-sessions failed \(exit 1\): Failed to connect to bus: Host is down$/,
  );
});
