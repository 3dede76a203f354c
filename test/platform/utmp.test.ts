/**
 * The utmp reader against a file glibc itself wrote (fixtures/glibc-utmp.c) and against files
 * built with the test writer, whose offsets come from <bits/utmp.h>, not from the reader.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseUtmp } from '../../src/platform/user-sessions/utmp.js';
import { pidIsAlive, utmpSessions } from '../../src/platform/user-sessions/utmp-sessions.js';
import {
  BOOT_TIME,
  DEAD_PROCESS,
  LOGIN_PROCESS,
  USER_PROCESS,
  utmpFile,
  utmpRecord,
  type UtmpEntry,
} from './utmp-writer.js';

const glibcFile = readFileSync(new URL('./fixtures/glibc-utmp.bin', import.meta.url));
const glibcEntries: UtmpEntry[] = [
  { type: BOOT_TIME, pid: 0, line: '~', user: 'reboot', host: '6.1.0' },
  { type: LOGIN_PROCESS, pid: 501, line: 'tty1', user: 'LOGIN' },
  { type: USER_PROCESS, pid: 1001, line: ':0', user: 'alice', host: ':0' },
  { type: USER_PROCESS, pid: 1002, line: 'pts/0', user: 'bob', host: '192.0.2.7', addr: [192, 0, 2, 7] },
  { type: USER_PROCESS, pid: 1003, line: 'tty3', user: 'a-user-name-of-32-characters-xyz' },
  { type: DEAD_PROCESS, pid: 1004, line: 'pts/1', user: '' },
];
const everyoneAlive = () => true;

test('the test writer produces the bytes glibc writes', () => {
  assert.equal(glibcFile.length, 6 * 384);
  assert.deepEqual(utmpFile(glibcEntries), glibcFile);
});

test("records of glibc's file are read field by field, a full-width name without its NUL", () => {
  assert.deepEqual(parseUtmp(glibcFile), [
    { type: BOOT_TIME, pid: 0, line: '~', user: 'reboot', host: '6.1.0', hasAddress: false },
    { type: LOGIN_PROCESS, pid: 501, line: 'tty1', user: 'LOGIN', host: '', hasAddress: false },
    { type: USER_PROCESS, pid: 1001, line: ':0', user: 'alice', host: ':0', hasAddress: false },
    { type: USER_PROCESS, pid: 1002, line: 'pts/0', user: 'bob', host: '192.0.2.7', hasAddress: true },
    {
      type: USER_PROCESS,
      pid: 1003,
      line: 'tty3',
      user: 'a-user-name-of-32-characters-xyz',
      host: '',
      hasAddress: false,
    },
    { type: DEAD_PROCESS, pid: 1004, line: 'pts/1', user: '', host: '', hasAddress: false },
  ]);
});

test("glibc's file: logins only; a display login and a VT are the console, ssh is remote", () => {
  assert.deepEqual(utmpSessions(parseUtmp(glibcFile), everyoneAlive), [
    { id: ':0', user: 'alice', state: 'active', kind: 'console', display: ':0' },
    { id: 'pts/0', user: 'bob', state: 'active', kind: 'remote' },
    { id: 'tty3', user: 'a-user-name-of-32-characters-xyz', state: 'active', kind: 'console' },
  ]);
});

test('windows inside a session are not sessions; remote is told by host or address', () => {
  const file = utmpFile([
    { pid: 10, line: 'tty7', user: 'alice', host: ':0' }, // X started on a VT (startx, LightDM)
    { pid: 11, line: 'pts/2', user: 'alice', host: ':0' }, // xterm on that display
    { pid: 12, line: 'pts/3', user: 'alice', host: 'tmux(4242).%0' },
    { pid: 13, line: 'pts/4', user: 'alice', host: ':pts/2:S.0' }, // screen
    { pid: 14, line: 'pts/5', user: 'alice' }, // su, or a terminal that names no display
    { pid: 15, line: 'pts/6', user: 'bob', host: '2001:db8::7' },
    { pid: 16, line: 'pts/7', user: 'carol', host: 'laptop.example.org' },
    { pid: 17, line: 'pts/8', user: 'dave', addr: [198, 51, 100, 4] }, // address without a host name
    { pid: 18, line: 'console', user: 'root' },
  ]);
  assert.deepEqual(utmpSessions(parseUtmp(file), everyoneAlive), [
    { id: 'tty7', user: 'alice', state: 'active', kind: 'console', display: ':0' },
    { id: 'pts/6', user: 'bob', state: 'active', kind: 'remote' },
    { id: 'pts/7', user: 'carol', state: 'active', kind: 'remote' },
    { id: 'pts/8', user: 'dave', state: 'active', kind: 'remote' },
    { id: 'console', user: 'root', state: 'active', kind: 'console' },
  ]);
});

test("a login whose process is gone was left behind by a crash and is dropped; a reused line's newer record wins", () => {
  const file = utmpFile([
    { pid: 20, line: ':0', user: 'alice', host: ':0' },
    { pid: 21, line: 'tty2', user: 'bob' },
    { pid: 22, line: 'tty2', user: 'carol' },
  ]);
  const alive = (pid: number) => pid !== 20;
  assert.deepEqual(utmpSessions(parseUtmp(file), alive), [
    { id: 'tty2', user: 'carol', state: 'active', kind: 'console' },
  ]);
});

test('a partial record at the end (a login being written) is skipped, the rest read', () => {
  const whole = utmpFile([{ pid: 30, line: 'tty2', user: 'alice' }]);
  const next = utmpRecord({ pid: 31, line: 'tty3', user: 'bob' });
  for (const cut of [1, 100, 383]) {
    const records = parseUtmp(Buffer.concat([whole, next.subarray(0, cut)]));
    assert.deepEqual(
      records.map((r) => r.user),
      ['alice'],
      `cut at ${cut}`,
    );
  }
  assert.deepEqual(parseUtmp(Buffer.alloc(0)), []);
});

test('a file of another layout is reported, not misread', () => {
  const wrongOrder = utmpRecord({ pid: 40, line: 'tty2', user: 'alice' });
  wrongOrder.writeInt16BE(USER_PROCESS, 0); // what a big-endian machine writes
  assert.throws(
    () => parseUtmp(Buffer.concat([utmpRecord({ pid: 41, line: 'tty1', user: 'bob' }), wrongOrder])),
    /utmp record 1 \(byte 384\) has type 1792: not a glibc utmp file of 384-byte records/,
  );
});

test('pidIsAlive: this process yes, an exited one and process-group ids no', () => {
  assert.equal(pidIsAlive(process.pid), true);
  const exited = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(exited !== undefined && exited > 0);
  assert.equal(pidIsAlive(exited), false);
  assert.equal(pidIsAlive(0), false);
  assert.equal(pidIsAlive(-1), false);
});
