/**
 * The device agent's Windows start-up, for real, under Wine's node.exe: the product's agent
 * (src/agent/cli.ts, bundled for Windows) against a real relay on 127.0.0.1, started with the
 * arguments its Windows service gives it (windows-service.ts), its output where the service
 * wrapper writes it (%ProgramData%\flxra\agent\logs). It finds its folders under %ProgramData%
 * without being told, keeps its credential in Windows Credential Manager (read back by a process
 * of its own), enrols with a token made in the console, shows online there, and after a restart
 * comes back with the stored credential alone. No secret is in plain text under ProgramData, in
 * its log or in the prefix's registry files (where Wine keeps Credential Manager's entries).
 *
 * The service itself (WinSW, sc.exe, LocalSystem, recovery) is only real Windows': see
 * docs/windows.md for its manual test. The tests run in order and share the relay and the prefix.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { agentTokenAccount, AGENT_KEYCHAIN_SERVICE } from '../../src/agent/credentials.js';
import { agentServiceArgs, servicePaths } from '../../src/agent/windows-service.js';
import { NewEnrolmentTokenResponse } from '../../src/shared/console-enrolment.js';
import type { ConsoleDevice } from '../../src/shared/console-devices.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { eventually } from '../../dev/rig/until.js';
import { startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { toWindowsPath } from '../../dev/wine/wine-paths.js';
import {
  removeWindowsBundles,
  runWineProbeProgram,
  startWineNodeProgram,
  type WineProgram,
} from '../../dev/wine/wine-program.js';
import { startWineSession, type WineSession } from '../../dev/wine/wine-session.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';

const AGENT = 'src/agent/cli.ts';
const CREDENTIAL_PROBE = 'test/windows/probes/credential-manager-probe.ts';
/** Where the service's layout puts things (the install folder is not used: the test runs its own bundle). */
const LAYOUT = { installDir: 'C:\\Program Files\\flxra\\agent', programData: 'C:\\ProgramData' };

let xvfb: Xvfb;
let relay: TestRelay;
/** The relay the device moves to. */
let other: TestRelay | undefined;
let admin: ConsoleClient;
let wine: WineSession;
let dir: string;
/** C:\ProgramData\flxra as a Linux path. */
let programData: string;
let agent: WineProgram | undefined;
let deviceId: string;
let secret: string;
let enrolmentToken: string;
const accounts = new Set<string>();

/**
 * The agent, its stdout and stderr in the service's log folder; with the service's arguments
 * (`--state-dir`, `--config`), or with none of its own (`defaults`: it finds both itself).
 */
async function startAgent(extra: string[] = [], { defaults = false } = {}): Promise<WineProgram> {
  const logs = path.join(programData, 'agent', 'logs');
  const [, ...args] = agentServiceArgs(LAYOUT);
  return startWineNodeProgram(wine, AGENT, [...(defaults ? [] : args), ...extra], {
    stdout: path.join(logs, 'flxra-agent-service.out.log'),
    stderr: path.join(logs, 'flxra-agent-service.err.log'),
  });
}

async function devices(): Promise<ConsoleDevice[]> {
  const answer = await admin.call('GET', '/devices');
  assert.equal(answer.status, 200, answer.text);
  return (answer.body as { devices: ConsoleDevice[] }).devices;
}

const listed = async (id: string) => (await devices()).find((d) => d.deviceId === id);

/** What Credential Manager holds for the agent's account, read by another Windows process. */
async function storedCredential(account: string): Promise<string | null> {
  const answer = await runWineProbeProgram<{ secret: string | null }>(wine, CREDENTIAL_PROBE, {
    op: 'get',
    service: AGENT_KEYCHAIN_SERVICE,
    account,
  });
  return answer.secret;
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** The forms a secret could be written in: UTF-8, UTF-16 (Windows' strings), a .reg file's hex bytes. */
function plainForms(value: string): string[] {
  const hex = (buf: Buffer) => [...buf].map((b) => b.toString(16).padStart(2, '0')).join(',');
  return [
    value,
    Buffer.from(value, 'utf16le').toString('latin1'),
    hex(Buffer.from(value)),
    hex(Buffer.from(value, 'utf16le')),
  ];
}

/** The files among `files` holding one of `secrets` in plain text. */
async function holding(files: string[], secrets: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    // A .reg file breaks long hex values over lines ("\\\n  "): joined again before looking.
    const text = (await readFile(file)).toString('latin1').replace(/\\\r?\n\s*/g, '');
    if (secrets.some((s) => plainForms(s).some((form) => text.includes(form)))) found.push(file);
  }
  return found;
}

before(async () => {
  xvfb = await startXvfb({ width: 800, height: 600 });
  relay = await startTestRelay({ relay: { agentHeartbeatMs: 1_000 } });
  admin = await firstAdmin(relay);
  wine = await startWineSession({ display: xvfb.display });
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-agent-wine-'));
  programData = path.join(wine.paths.prefix, 'drive_c', 'ProgramData', 'flxra');
  // The prefix outlives runs: an earlier run's agent state must not be found.
  await rm(programData, { recursive: true, force: true });
});

after(async () => {
  await agent?.kill();
  for (const account of accounts)
    await runWineProbeProgram(wine, CREDENTIAL_PROBE, { op: 'delete', service: AGENT_KEYCHAIN_SERVICE, account }).catch(
      () => undefined,
    );
  await removeWindowsBundles();
  await wine?.close();
  await relay?.close();
  await other?.close();
  await xvfb?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(programData, { recursive: true, force: true });
});

test('enrols under Windows Node: state under %ProgramData%, the credential in Credential Manager, online in the console', async () => {
  const made = await admin.call('POST', '/enrolment-tokens', { reportGroup: 'Kiosks', days: 1, uses: 1 });
  assert.equal(made.status, 201, made.text);
  enrolmentToken = NewEnrolmentTokenResponse.parse(made.body).token;
  // The administrator's file, outside ProgramData, as the console's Windows command reads it.
  const tokenFile = path.join(dir, 'enrolment-token.txt');
  await writeFile(tokenFile, `${enrolmentToken}\r\n`);

  // The device's own settings, where the agent looks for them by default.
  await mkdir(programData, { recursive: true });
  await writeFile(
    path.join(programData, 'agent.json'),
    JSON.stringify({ verification: { required: true, unattended: 'view' } }),
  );

  // As the console's Windows command runs it: no folder given, the agent finds them under %ProgramData%.
  agent = await startAgent(['--relay', relay.url, '--enroll-file', toWindowsPath(tokenFile)], { defaults: true });
  await agent.waitFor(/verification words: required before control \(unattended: view only without them\)/);
  // On Windows it looks for the secure-desktop helper beside its node.exe (not installed there in this tier).
  await agent.waitFor(
    /secure-desktop helper: none \(The secure-desktop helper is not installed at .*\\flxra-desktop-helper\.exe/,
  );
  [, deviceId] = (await agent.waitFor(/ready as device (\w+)/, { timeoutMs: 60_000 })) as [string, string];

  // The state is where the service's layout (its --state-dir, used from the restart on) says.
  assert.equal(servicePaths(LAYOUT).stateDir, 'C:\\ProgramData\\flxra\\agent');
  const state = JSON.parse(await readFile(path.join(programData, 'agent', 'agent.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  assert.deepEqual(
    { relayUrl: state.relayUrl, deviceId: state.deviceId, reportGroup: state.reportGroup },
    { relayUrl: relay.url, deviceId, reportGroup: 'Kiosks' },
  );

  const device = await eventually('online in the console', async () => {
    const d = await listed(deviceId);
    return d?.online ? d : null;
  });
  assert.equal(device.reportGroup, 'Kiosks');
  assert.match(device.os, /Windows .*\(x64\)$/, 'Windows Node reports itself');

  // Another Windows process finds the credential in Credential Manager, and the relay takes it as this device.
  const account = agentTokenAccount({ deviceId, relayUrl: relay.url });
  accounts.add(account);
  secret = (await storedCredential(account)) ?? '';
  assert.ok(secret.length >= 20, `a credential is in Credential Manager under ${AGENT_KEYCHAIN_SERVICE}/${account}`);
  assert.equal((await relay.handle.devices.verify(secret))?.id, deviceId);

  const files = await filesUnder(programData);
  assert.ok(
    files.some((f) => f.endsWith('flxra-agent-service.out.log')) && files.some((f) => f.endsWith('agent.json')),
  );
  assert.deepEqual(await holding(files, [secret, enrolmentToken]), [], 'no secret under ProgramData or in the log');
  const registry = ['system.reg', 'user.reg', 'userdef.reg'].map((f) => path.join(wine.paths.prefix, f));
  assert.deepEqual(await holding(registry, [secret]), [], "Credential Manager's entry is not plain text");
  // The check can see a secret: the token file the test wrote holds one.
  assert.deepEqual(await holding([tokenFile], [enrolmentToken]), [tokenFile]);
});

test('stopped, it shows offline; restarted without a token, it connects again with the stored credential', async () => {
  await agent!.kill();
  await eventually('offline in the console', async () => (await listed(deviceId))?.online === false);

  agent = await startAgent();
  const [, again] = await agent.waitFor(/ready as device (\w+)/, { timeoutMs: 60_000 });
  assert.equal(again, deviceId);
  await eventually('online again', async () => (await listed(deviceId))?.online === true);
  assert.equal((await devices()).length, 1, 'the same device, not a second one');
  assert.deepEqual(await holding(await filesUnder(programData), [secret, enrolmentToken]), []);
});

test('enrolled again with another relay, it moves there and leaves no credential of the first in Credential Manager', async () => {
  await agent!.kill();
  other = await startTestRelay({ relay: { agentHeartbeatMs: 1_000 } });
  const tokenFile = path.join(dir, 'other-enrolment-token.txt');
  await writeFile(
    tokenFile,
    `${other.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Lab' }).token}\r\n`,
  );

  agent = await startAgent(['--relay', other.url, '--enroll-file', toWindowsPath(tokenFile)]);
  const [, moved] = (await agent.waitFor(/ready as device (\w+)/, { timeoutMs: 60_000 })) as [string, string];
  const account = agentTokenAccount({ deviceId: moved, relayUrl: other.url });
  accounts.add(account);
  const otherSecret = await storedCredential(account);
  assert.equal((await other.handle.devices.verify(otherSecret ?? ''))?.id, moved);
  assert.equal(await storedCredential(agentTokenAccount({ deviceId, relayUrl: relay.url })), null);
  assert.equal(
    await eventually('online with the new relay', () => Promise.resolve(other!.handle.agents.get(moved)?.online)),
    true,
  );
  deviceId = moved;
  secret = otherSecret!;
});

test('its credential gone from Credential Manager, it says to enrol again and exits 3, naming where it looked', async () => {
  await agent!.kill();
  const account = agentTokenAccount({ deviceId, relayUrl: other!.url });
  const removed = await runWineProbeProgram<{ deleted: boolean }>(wine, CREDENTIAL_PROBE, {
    op: 'delete',
    service: AGENT_KEYCHAIN_SERVICE,
    account,
  });
  assert.deepEqual(removed, { deleted: true });

  agent = await startAgent();
  assert.equal(await agent.exited, 3);
  assert.match(
    await agent.output(),
    new RegExp(
      `The agent's credential for device ${deviceId} is not in Windows Credential Manager\\. Enrol the device again with --enroll-file`,
    ),
  );
});
