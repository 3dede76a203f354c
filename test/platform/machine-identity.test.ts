/**
 * The machine identity the agent enrols with: on Linux this machine's real /etc/machine-id (and
 * the fallbacks when it is missing, empty or an image's "uninitialized"); on Windows reg.exe's
 * answer for MachineGuid, on a fixture written from its documented format (CRLF, the 64-bit view
 * asked for), and its exit code 1 when the value is missing. What leaves the machine is an
 * app-specific hash, never the raw id.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { appSpecificIdentity, createMachineIdentityReader } from '../../src/platform/machine-identity/index.js';
import { parseMachineGuid } from '../../src/platform/machine-identity/windows.js';
import type { CommandRunner } from '../../src/platform/user-sessions/run-command.js';

const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const GUID = '6b29fc40-ca47-1067-b31d-00dd010662da';

test("Linux: this machine's /etc/machine-id, as an app-specific hash; the same on every read", async () => {
  const raw = (await readFile('/etc/machine-id', 'utf8')).trim();
  const reader = createMachineIdentityReader('linux');
  const identity = await reader.read();
  assert.equal(identity, createHmac('sha256', raw).update('flxra agent machine identity v1').digest('hex'));
  assert.match(identity ?? '', /^[0-9a-f]{64}$/);
  assert.ok(!(identity ?? '').includes(raw), 'not the raw id');
  assert.equal(await reader.read(), identity);
});

test("Linux: an image's empty or uninitialized machine-id is none; D-Bus's copy is next; none at all is null", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-machine-id-'));
  try {
    const [etc, dbus] = [path.join(dir, 'machine-id'), path.join(dir, 'dbus-machine-id')];
    await writeFile(etc, 'uninitialized\n');
    await writeFile(dbus, 'ABCDEF0123456789abcdef0123456789\n');
    const read = (paths: string[]) => createMachineIdentityReader('linux', { machineIdPaths: paths }).read();
    assert.equal(await read([etc, dbus]), appSpecificIdentity('abcdef0123456789abcdef0123456789'));
    await writeFile(etc, '');
    assert.equal(await read([etc]), null);
    assert.equal(await read([path.join(dir, 'missing')]), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("Windows: MachineGuid from reg.exe's answer in the 64-bit view; a missing value is none", async () => {
  const answer = await fixture('reg-query-machine-guid.txt');
  assert.equal(parseMachineGuid(answer), GUID);
  const calls: Array<[string, readonly string[]]> = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, args]);
    return { code: 0, stdout: answer, stderr: '' };
  };
  const reader = createMachineIdentityReader('win32', { run, systemRoot: 'C:\\Windows' });
  assert.equal(await reader.read(), appSpecificIdentity(GUID));
  assert.deepEqual(calls, [
    [
      'C:\\Windows\\System32\\reg.exe',
      ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid', '/reg:64'],
    ],
  ]);
  const missing: CommandRunner = async () => ({
    code: 1,
    stdout: '',
    stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n',
  });
  assert.equal(await createMachineIdentityReader('win32', { run: missing }).read(), null);
  assert.equal(parseMachineGuid('HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\r\n'), null);
});
