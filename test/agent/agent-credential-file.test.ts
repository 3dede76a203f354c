/**
 * A real agent process (the built out/dev/agent.mjs) on a machine with no Secret Service (no
 * D-Bus session): it enrols, keeps its credential in an owner-only file in its state folder and
 * says so once per start, never logs it, comes back after a restart as the same device, online;
 * refuses a credential file others can read; moves the credential into the keychain when one
 * appears (this suite's own, scripts/with-keyring.sh), and when the keychain is gone again says
 * where its credential is rather than "not enrolled".
 */
import assert from 'node:assert/strict';
import { chmod, lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { agentTokenAccount, AGENT_KEYCHAIN_SERVICE } from '../../src/agent/credentials.js';
import { keytarCredentialStore } from '../../src/platform/credentials/credential-store.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { utmpFile } from '../platform/utmp-writer.js';
import { startAgent, type AgentProcess } from './agent-process.js';

let relay: TestRelay;
let dir: string;
let stateDir: string;
let credentialFile: string;
let deviceId: string;
let agentToken: string;
const agents: AgentProcess[] = [];
const keychain = keytarCredentialStore(AGENT_KEYCHAIN_SERVICE);

// No D-Bus session, no X display: nothing keytar could reach a Secret Service through.
const { DBUS_SESSION_BUS_ADDRESS: _, DISPLAY: __, ...noKeychain } = process.env;
const { DISPLAY: ___, ...withKeychain } = process.env;

function run(env: NodeJS.ProcessEnv, args: string[] = [], stdin?: string): AgentProcess {
  const started = startAgent(
    ['--relay', relay.url, '--state-dir', stateDir, '--utmp', path.join(dir, 'utmp'), ...args],
    env,
    undefined,
    stdin,
  );
  agents.push(started);
  return started;
}

async function ready(agent: AgentProcess): Promise<string> {
  const [, id] = (await agent.waitFor(/ready as device (\w+)/, { timeoutMs: 20_000 })) as [string, string];
  await until('the relay has it online', () => relay.handle.agents.get(id)?.online === true, { timeoutMs: 5_000 });
  return id;
}

async function stop(agent: AgentProcess): Promise<void> {
  process.kill(agent.pid, 'SIGTERM');
  assert.deepEqual(await agent.exited, { code: 0, signal: null });
  await until('the relay has it offline', () => relay.handle.agents.get(deviceId)?.online === false, {
    timeoutMs: 5_000,
  });
}

const fileLines = (agent: AgentProcess) =>
  agent.lines.filter((line) => line.includes('no keychain (Secret Service) is available'));

before(async () => {
  relay = await startTestRelay();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-agent-credential-file-'));
  stateDir = path.join(dir, 'state');
  credentialFile = path.join(stateDir, 'credentials.json');
  await writeFile(path.join(dir, 'utmp'), utmpFile([]));
});

after(async () => {
  await Promise.all(agents.map((a) => a.killAll()));
  if (deviceId) await keychain.delete(agentTokenAccount({ deviceId, relayUrl: relay.url })).catch(() => false);
  await relay?.close();
  await rm(dir, { recursive: true, force: true });
});

test('without a Secret Service it enrols, keeps its credential in an owner-only file, says so once, never logs it', async () => {
  const { token } = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Servers' });
  const agent = run(noKeychain, ['--enroll-file', '-'], `${token}\n`);
  deviceId = await ready(agent);
  assert.deepEqual(fileLines(agent), [
    `[agent] no keychain (Secret Service) is available: the agent keeps its credential in ${credentialFile}, readable by its user only`,
  ]);

  assert.equal((await lstat(stateDir)).mode & 0o777, 0o700);
  assert.equal((await lstat(credentialFile)).mode & 0o777, 0o600);
  assert.deepEqual((await readdir(stateDir)).sort(), ['agent.json', 'credentials.json']);
  const kept = JSON.parse(await readFile(credentialFile, 'utf8')) as Record<string, string>;
  agentToken = kept[agentTokenAccount({ deviceId, relayUrl: relay.url })]!;
  assert.match(agentToken, /^flxra_dev_/);
  assert.ok(!(await readFile(path.join(stateDir, 'agent.json'), 'utf8')).includes(agentToken));
  for (const line of agent.lines) assert.ok(!line.includes(agentToken), `logged: ${line}`);
  assert.equal(await keychain.get(agentTokenAccount({ deviceId, relayUrl: relay.url })), null, 'not in a keychain');

  // Restarted: the same device, online, from the file; said again, once, for this start.
  await stop(agent);
  const again = run(noKeychain);
  assert.equal(await ready(again), deviceId);
  assert.equal(fileLines(again).length, 1);
  for (const line of again.lines) assert.ok(!line.includes(agentToken), `logged: ${line}`);
  await stop(again);
});

test('a credential file others can read is refused, saying so and how to fix it (exit 3); made owner-only, it is used', async () => {
  await chmod(credentialFile, 0o644);
  const refused = run(noKeychain);
  assert.deepEqual(await refused.exited, { code: 3, signal: null });
  await refused.waitFor(
    /flxra agent: .*credentials\.json can be read or changed by other users \(mode 0644\), so the agent's credential may have been copied; the agent does not use it\. .*chmod 600/,
  );
  assert.equal(relay.handle.agents.get(deviceId)?.online, false);
  for (const line of refused.lines) assert.ok(!line.includes(agentToken));

  await chmod(credentialFile, 0o600);
  const fixed = run(noKeychain);
  assert.equal(await ready(fixed), deviceId);
  await stop(fixed);
});

test('where a keychain appears the credential moves into it; gone again, the agent says where its credential is', async () => {
  const account = agentTokenAccount({ deviceId, relayUrl: relay.url });
  const moved = run(withKeychain);
  assert.equal(await ready(moved), deviceId);
  await moved.waitFor(/the keychain is available now: the credential moved into it from .*credentials\.json/);
  assert.deepEqual(fileLines(moved), [], 'the keychain, not the file');
  assert.equal(await keychain.get(account), agentToken);
  await assert.rejects(lstat(credentialFile), { code: 'ENOENT' }, 'out of the file');
  await stop(moved);

  const lost = run(noKeychain);
  assert.deepEqual(await lost.exited, { code: 3, signal: null });
  await lost.waitFor(
    new RegExp(
      `credential for device ${deviceId} is not in .*credentials\\.json, and no keychain is available to the agent now \\(if the device enrolled where one was, its credential is there: run the agent where that keychain is\\)`,
    ),
  );

  const back = run(withKeychain);
  assert.equal(await ready(back), deviceId);
  await stop(back);
});
