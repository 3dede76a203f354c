/**
 * The Windows terminals' choices, checkable without Windows: ConPTY from build 18309 and winpty before it, cmd.exe
 * and powershell.exe by full path with UTF-8 set up, a missing powershell.exe said in words, a user's shell refused
 * as not yet supported (never silently opened as LocalSystem), and the tree ended with taskkill /T /F.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  conptyAvailable,
  createWindowsTerminalBackend,
  windowsShell,
} from '../../src/platform/tools/terminal/windows.js';

test('ConPTY where Windows has it, winpty where it does not', () => {
  assert.equal(conptyAvailable('10.0.19045'), true, 'Windows 10 22H2');
  assert.equal(conptyAvailable('10.0.18309'), true);
  assert.equal(conptyAvailable('10.0.17763'), false, 'Windows 10 1809 / Server 2019: winpty');
  assert.equal(conptyAvailable('6.3.9600'), false, 'Windows 8.1 / Server 2012 R2');
  assert.equal(conptyAvailable('garbage'), false);
});

test('the shells by full path, in UTF-8', () => {
  assert.deepEqual(windowsShell('cmd', 'C:\\Windows'), {
    file: 'C:\\Windows\\System32\\cmd.exe',
    args: ['/d', '/k', 'chcp 65001>nul'],
  });
  const ps = windowsShell('powershell', 'D:\\WINNT');
  assert.equal(ps.file, 'D:\\WINNT\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  assert.ok(ps.args.includes('-NoExit'));
  assert.match(ps.args.at(-1)!, /OutputEncoding = \[Text\.UTF8Encoding\]::new\(\$false\)/);
});

test("refusals: no powershell.exe, a user's shell", async () => {
  const backend = createWindowsTerminalBackend({
    systemRoot: 'C:\\Windows',
    exists: () => false,
    osRelease: '10.0.19045',
  });
  const ps = await backend.open({ slot: 'powershell', account: { kind: 'agent' }, cols: 80, rows: 24 });
  assert.deepEqual(ps, {
    ok: false,
    refusal: { code: 'not-installed', message: 'PowerShell is not installed on this device.' },
  });
  const user = await backend.open({ slot: 'cmd', account: { kind: 'user', user: 'alice' }, cols: 80, rows: 24 });
  assert.equal(!user.ok && user.refusal.code, 'not-supported');
});
