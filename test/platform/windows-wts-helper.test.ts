/** The WTS helper's JSON, on fixtures written to the contract in windows-wts-helper.ts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseWtsHelperOutput } from '../../src/platform/user-sessions/windows-wts-helper.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test('workstation: the console user, a user switched away from; session 0 and the listener are not users', () => {
  assert.deepEqual(parseWtsHelperOutput(fixture('wts-helper-workstation.json')), [
    { id: '1', user: 'DESKTOP-7Q2K\\alice', state: 'active', kind: 'console' },
    { id: '2', user: 'DESKTOP-7Q2K\\bob', state: 'disconnected', kind: 'remote' },
  ]);
});

test('RDS host: logon screen at the console, shadowing counts as active, a logon in progress is left out', () => {
  assert.deepEqual(parseWtsHelperOutput(fixture('wts-helper-rds-host.json')), [
    { id: '2', user: 'CORP\\bob', state: 'active', kind: 'remote' },
    { id: '3', user: 'CORP\\carol', state: 'disconnected', kind: 'remote' },
    { id: '4', user: 'CORP\\helpdesk', state: 'active', kind: 'remote' },
  ]);
});

test('a user without a domain is named alone', () => {
  const out = JSON.stringify([
    { SessionId: 1, WinStationName: 'Console', State: 'WTSActive', UserName: 'alice', Domain: '' },
  ]);
  assert.deepEqual(parseWtsHelperOutput(out), [{ id: '1', user: 'alice', state: 'active', kind: 'console' }]);
});

test('output that is not JSON, or breaks the contract, is an error that says where', () => {
  assert.throws(() => parseWtsHelperOutput('Access is denied.'), /session helper: output is not JSON/);
  assert.throws(
    () =>
      parseWtsHelperOutput(
        JSON.stringify([{ SessionId: 1, WinStationName: 'Console', State: 'Active', UserName: 'alice', Domain: '' }]),
      ),
    /output breaks the contract:[\s\S]*State/,
  );
  assert.throws(() => parseWtsHelperOutput('{"SessionId":1}'), /output breaks the contract/);
});
