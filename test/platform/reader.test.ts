/**
 * createUserSessionReader: which source each platform uses, that the Linux choice is made once,
 * the Windows commands, and that what list() returns is checked against the contract.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createUserSessionReader } from '../../src/platform/user-sessions/index.js';
import { createLinuxReader } from '../../src/platform/user-sessions/linux.js';
import type { CommandResult } from '../../src/platform/user-sessions/run-command.js';
import { queryUserCommand } from '../../src/platform/user-sessions/windows.js';
import { utmpFile } from './utmp-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'flxra-sessions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A utmp file with one live console login (this process stands in for its session leader). */
const utmpPath = join(dir, 'utmp');
writeFileSync(utmpPath, utmpFile([{ pid: process.pid, line: ':0', user: 'alice', host: ':0' }]));
const missingUtmp = join(dir, 'no-utmp');
const readFixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '' });
const noLogind: CommandResult = {
  code: 1,
  stdout: '',
  stderr:
    "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n",
};
const notInstalled = () => Promise.reject(Object.assign(new Error('spawn loginctl ENOENT'), { code: 'ENOENT' }));

/** A runner whose answers can change between calls; it counts what it was asked. */
function scriptedRun(answer: (file: string, args: readonly string[]) => Promise<CommandResult>) {
  const calls: string[] = [];
  return {
    calls,
    run: (file: string, args: readonly string[]) => {
      calls.push([file, ...args].join(' '));
      return answer(file, args);
    },
  };
}

test('Linux: logind when loginctl answers', async () => {
  const { run } = scriptedRun(async (_f, args) =>
    args[0] === 'list-sessions'
      ? ok('      2 1000 bob seat0 tty2\n')
      : ok('Id=2\nName=bob\nSeat=seat0\nDisplay=\nRemote=no\nClass=user\nState=active\n'),
  );
  const reader = createLinuxReader({ run, utmpPath });
  assert.equal(await reader.source(), 'logind');
  assert.deepEqual(await reader.list(), [{ id: '2', user: 'bob', state: 'active', kind: 'console' }]);
});

test('Linux: utmp when loginctl is not installed, or installed without logind (as on this machine)', async () => {
  for (const answer of [notInstalled, async () => noLogind]) {
    const reader = createLinuxReader({ run: scriptedRun(answer).run, utmpPath });
    assert.equal(await reader.source(), 'utmp');
    assert.deepEqual(await reader.list(), [
      { id: ':0', user: 'alice', state: 'active', kind: 'console', display: ':0' },
    ]);
  }
});

test('Linux: nobody when neither is there', async () => {
  const reader = createLinuxReader({ run: async () => noLogind, utmpPath: missingUtmp });
  assert.equal(await reader.source(), 'none');
  assert.deepEqual(await reader.list(), []);
});

test('Linux: the choice is made once, on the first call, even when calls overlap', async () => {
  let logindUp = false;
  const { run, calls } = scriptedRun(async (_f, args) => {
    if (!logindUp) return noLogind;
    return args[0] === 'list-sessions'
      ? ok('2\n')
      : ok('Id=2\nName=bob\nSeat=seat0\nDisplay=\nRemote=no\nClass=user\nState=active\n');
  });
  const reader = createLinuxReader({ run, utmpPath });
  const [first, second] = await Promise.all([reader.list(), reader.list()]);
  assert.deepEqual(first, second);
  logindUp = true;
  assert.equal((await reader.list())[0]?.user, 'alice', 'still utmp');
  assert.deepEqual(calls, ['loginctl list-sessions --no-legend']);
});

test('Linux: once logind is chosen, its failure is an error, not a silent switch to utmp', async () => {
  let up = true;
  const reader = createLinuxReader({ run: async () => (up ? ok('') : noLogind), utmpPath });
  assert.deepEqual(await reader.list(), []);
  up = false;
  await assert.rejects(reader.list(), /loginctl list-sessions failed \(exit 1\)/);
});

test('createUserSessionReader("linux") reads through the chosen source and checks the contract', async () => {
  const reader = createUserSessionReader('linux', { run: notInstalled, utmpPath });
  assert.deepEqual(await reader.list(), [{ id: ':0', user: 'alice', state: 'active', kind: 'console', display: ':0' }]);

  const tooLong = 'x'.repeat(300);
  const bad = createUserSessionReader('linux', {
    run: async (_f, args) =>
      args[0] === 'list-sessions'
        ? ok('2\n')
        : ok(`Id=2\nName=${tooLong}\nSeat=seat0\nDisplay=\nRemote=no\nClass=user\nState=active\n`),
  });
  await assert.rejects(bad.list(), (err: Error) => err.name === 'ZodError' && /user/.test(err.message));
});

test('Windows: quser.exe by absolute path under %SystemRoot%', async () => {
  assert.deepEqual(queryUserCommand('D:\\WINNT'), { file: 'D:\\WINNT\\System32\\quser.exe', args: [] });
  assert.deepEqual(queryUserCommand(), { file: 'C:\\Windows\\System32\\quser.exe', args: [] });
  const { run, calls } = scriptedRun(async () =>
    ok(
      ' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\r\n>alice                 console             1  Active      none   3/4/2025 8:02 AM\r\n',
    ),
  );
  const reader = createUserSessionReader('win32', { run, systemRoot: 'C:\\Windows' });
  assert.deepEqual(await reader.list(), [{ id: '1', user: 'alice', state: 'active', kind: 'console' }]);
  assert.deepEqual(calls, ['C:\\Windows\\System32\\quser.exe']);
});

test('Windows: nobody signed in (non-zero exit, no table) is an empty list; other failures are errors', async () => {
  const stderr = readFixture('query-user-nobody.stderr.txt');
  const nobody = createUserSessionReader('win32', { run: async () => ({ code: 1, stdout: '', stderr }) });
  assert.deepEqual(await nobody.list(), []);

  const odd = createUserSessionReader('win32', {
    run: async () => ({ code: 5, stdout: 'something\r\n', stderr: 'Error 5\r\n' }),
  });
  await assert.rejects(odd.list(), /quser failed \(exit 5\): Error 5$/);
});

test('Windows: the helper, when configured, is used instead of quser', async () => {
  const { run, calls } = scriptedRun(async () => ok(readFixture('wts-helper-workstation.json')));
  const reader = createUserSessionReader('win32', {
    run,
    windowsHelper: { file: 'C:\\Program Files\\flxra\\sessions.exe', args: ['--json'] },
  });
  assert.equal((await reader.list()).length, 2);
  assert.deepEqual(calls, ['C:\\Program Files\\flxra\\sessions.exe --json']);

  const failing = createUserSessionReader('win32', {
    run: async () => ({ code: 2, stdout: '', stderr: 'WTSEnumerateSessions: 5\r\n' }),
    windowsHelper: { file: 'h.exe', args: [] },
  });
  await assert.rejects(failing.list(), /session helper h\.exe failed \(exit 2\): WTSEnumerateSessions: 5$/);
});

test('other platforms: a clear error at creation', () => {
  assert.throws(() => createUserSessionReader('darwin'), /no user session reader for darwin/);
});
