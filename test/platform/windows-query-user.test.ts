/**
 * `query user` parsing on fixtures written from the documented format: the sample in
 * notes/windows.md verbatim, an aligned English table with CRLF line ends as Windows prints it,
 * and Spanish output as posted in VertigoRay/PSQuser issue #3 (localized header and states).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseQueryUser } from '../../src/platform/user-sessions/windows-query-user.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const HEADER = ' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME';

test("windows.md's sample: an RDP session and a disconnected row whose columns shifted", () => {
  assert.deepEqual(parseQueryUser(fixture('query-user-windows-md.txt')), [
    { id: '1', user: 'juurena', state: 'active', kind: 'remote' },
    { id: '4', user: 'test', state: 'disconnected', kind: 'remote' },
  ]);
});

test('console, disconnected rows, a user name with a space, CRLF line ends', () => {
  assert.deepEqual(parseQueryUser(fixture('query-user-console.txt')), [
    { id: '1', user: 'alice', state: 'active', kind: 'console' },
    { id: '2', user: 'bob', state: 'disconnected', kind: 'remote' },
    { id: '3', user: 'John Smith', state: 'active', kind: 'remote' },
    { id: '5', user: 'carol', state: 'disconnected', kind: 'remote' },
  ]);
});

test('Spanish header and states: read from the rows, not the words', () => {
  assert.deepEqual(parseQueryUser(fixture('query-user-spanish.txt')), [
    { id: '1', user: 'mabe-b3', state: 'active', kind: 'console' },
    { id: '2', user: 'otro00', state: 'disconnected', kind: 'remote' },
  ]);
});

test('an English state word wins over the row shape', () => {
  // A Disc row that still names a connection: the word is the direct statement.
  const out = `${HEADER}\n alice                 rdp-tcp#2           2  Disc          none  3/4/2025 8:02 AM\n`;
  assert.deepEqual(parseQueryUser(out), [{ id: '2', user: 'alice', state: 'disconnected', kind: 'remote' }]);
});

test('digits inside a user name are not taken for the ID', () => {
  const out = [
    HEADER,
    ' user 7                console             1  Active      none  3/4/2025 8:02 AM',
    ' lab 12                                    6  Disc           3  3/4/2025 7:00 AM',
    ' svc                   ICA-CGP#0          14  Active         .  3/4/2025 6:00 AM',
  ].join('\n');
  assert.deepEqual(parseQueryUser(out), [
    { id: '1', user: 'user 7', state: 'active', kind: 'console' },
    { id: '6', user: 'lab 12', state: 'disconnected', kind: 'remote' },
    { id: '14', user: 'svc', state: 'active', kind: 'remote' },
  ]);
});

test('no output is nobody; a row without ID and STATE, or a missing header, is an error', () => {
  assert.deepEqual(parseQueryUser(''), []);
  assert.deepEqual(parseQueryUser(`${HEADER}\r\n`), []);
  assert.throws(
    () => parseQueryUser(`${HEADER}\n>alice   console\n`),
    /cannot find the ID and STATE columns in ">alice {3}console"/,
  );
  assert.throws(
    () => parseQueryUser('>alice                 console             1  Active      none  3/4/2025 8:02 AM\n'),
    /the first line is a session, not the header/,
  );
});
