/**
 * The device agent as it runs: real agent processes (the built `out/dev/agent.mjs`, the product
 * agent plus the Chromium launcher) against a real relay, with the Chromium launcher starting
 * real hosts on an Xvfb desktop.
 * Enrolment and the keychain, reports from a utmp file the test writes, the agent holding no
 * listening socket, a request of each type, the agent's connection cut during an assistance
 * (it goes on) and the agent killed during one (it ends within seconds).
 *
 * This machine runs no logind, so the agent's Linux reader uses the utmp file given with --utmp
 * (test/platform/reader.test.ts covers that choice). The tests run in order and share the relay,
 * the desktop and the enrolled device.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { agentTokenAccount, AGENT_KEYCHAIN_SERVICE } from '../../src/agent/credentials.js';
import { keytarCredentialStore } from '../../src/platform/credentials/credential-store.js';
import type { UserSession } from '../../src/shared/user-sessions.js';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { utmpFile, type UtmpEntry } from '../platform/utmp-writer.js';
import { PRODUCT_AGENT_BUNDLE, startAgent, type AgentProcess } from './agent-process.js';
import { connectionsTo, lastingChildren, listeningSockets, running } from './proc-sockets.js';

const HEARTBEAT_MS = 1_000;
const MINUTE = 60_000;

let xvfb: Xvfb;
let relay: TestRelay;
let dir: string;
let utmpPath: string;
let stateDir: string;
let agent: AgentProcess;
let deviceId: string;
const agents: AgentProcess[] = [];

/** The test process stands in for the sessions' leaders: the reader drops records of dead pids. */
const alice = (display: string): UtmpEntry => ({ pid: process.pid, line: display, user: 'alice', host: display });
const bob: UtmpEntry = { pid: process.pid, line: 'pts/4', user: 'bob', host: '203.0.113.9', addr: [203, 0, 113, 9] };
const carol: UtmpEntry = {
  pid: process.pid,
  line: 'pts/5',
  user: 'carol',
  host: '198.51.100.2',
  addr: [198, 51, 100, 2],
};

/** `config`: the device's configuration file; by default one that does not exist (the defaults). */
function run(args: string[], config = path.join(dir, 'no-config.json')): AgentProcess {
  // No DISPLAY of the test's own: a host must go where the user session is.
  const { DISPLAY: _, ...env } = process.env;
  const started = startAgent(
    [
      '--relay',
      relay.url,
      '--state-dir',
      stateDir,
      '--utmp',
      utmpPath,
      // No --launcher, and no app installed there: the development agent picks the Chromium stand-in itself.
      '--app',
      path.join(dir, 'no-app-installed'),
      '--config',
      config,
      ...args,
    ],
    env,
  );
  agents.push(started);
  return started;
}

/** A new enrolment token in a file only its owner reads, as an administrator hands one out. */
async function enrolmentTokenFile(name: string): Promise<string> {
  const file = path.join(dir, name);
  const { token } = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Kiosks' });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return file;
}

/** The device as the relay has it, once it reports that many user sessions. */
function reported(count: number) {
  const device = relay.handle.agents.get(deviceId);
  return device?.userSessions.length === count ? device : null;
}

/** Over for good: the relay expires the assistance, and the agent stops the host it started. */
async function expireAndWaitForHostExit(sessionId: string) {
  const from = agent.mark();
  relay.clock.advance(16 * MINUTE);
  await relay.handle.sweep();
  await agent.waitFor(new RegExp(`\\[host ${sessionId}\\] exited`), { from });
}

before(async () => {
  xvfb = await startXvfb({ width: 1024, height: 640 });
  relay = await startTestRelay({ relay: { agentHeartbeatMs: HEARTBEAT_MS } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-agent-test-'));
  utmpPath = path.join(dir, 'utmp');
  stateDir = path.join(dir, 'state');
  await writeFile(utmpPath, utmpFile([alice(xvfb.display), bob]));
});

after(async () => {
  await Promise.all(agents.map((a) => a.killAll()));
  await relay?.close();
  await xvfb?.close();
  await rm(dir, { recursive: true, force: true });
});

test('enrols, keeps its credential in the keychain only, reports its user sessions, listens on nothing, starts nothing', async () => {
  const tokenFile = await enrolmentTokenFile('enrolment-token');
  agent = run(['--enroll-file', tokenFile]);
  // The first keychain write creates the test keyring's collection: allow for a slow machine.
  [, deviceId] = (await agent.waitFor(/ready as device (\w+)/, { timeoutMs: 20_000 })) as [string, string];
  await agent.waitFor(
    /hosts start in Chromium, the stand-in for the app: the app is not installed at .*no-app-installed/,
  );

  const device = await until('the first report', () => reported(2), { timeoutMs: 10_000 });
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  assert.deepEqual(
    {
      hostname: device.hostname,
      agentVersion: device.agentVersion,
      environmentId: device.environmentId,
      reportGroup: device.reportGroup,
      online: device.online,
    },
    {
      hostname: os.hostname(),
      agentVersion: pkg.version,
      environmentId: 'default',
      reportGroup: 'Kiosks',
      online: true,
    },
  );
  assert.match(device.os, new RegExp(`^Linux ${os.release().replace(/[.+]/g, '\\$&')}`));
  const expected: UserSession[] = [
    { id: xvfb.display, user: 'alice', state: 'active', kind: 'console', display: xvfb.display },
    { id: 'pts/4', user: 'bob', state: 'active', kind: 'remote' },
  ];
  assert.deepEqual(device.userSessions, expected);

  // The credential is in the keychain; no file of the agent's holds it.
  const secret = await keytarCredentialStore(AGENT_KEYCHAIN_SERVICE).get(
    agentTokenAccount({ deviceId, relayUrl: relay.url }),
  );
  assert.match(secret ?? '', /^flxra_dev_/);
  const files = await readdir(stateDir, { recursive: true });
  assert.ok(files.includes('agent.json'));
  for (const file of files)
    assert.ok(!(await readFile(path.join(stateDir, file), 'utf8')).includes(secret!), `${file} holds the credential`);

  // The check can see a listener: this test process has the relay's. The agent has none.
  assert.ok(
    listeningSockets(process.pid).some((s) => s.startsWith('tcp')),
    'the socket check finds the relay listening in this process',
  );
  assert.deepEqual(listeningSockets(agent.pid), []);
  assert.deepEqual(await lastingChildren(agent.pid), [], 'nothing started before anyone asked');
});

test('heartbeats move lastSeen; a session appearing is reported without waiting for the next heartbeat', async () => {
  relay.clock.advance(MINUTE);
  const expected = new Date(relay.clock.now()).toISOString();
  await until('a heartbeat', () => relay.handle.agents.get(deviceId)?.lastSeen === expected, {
    timeoutMs: 3 * HEARTBEAT_MS,
  });

  await writeFile(utmpPath, utmpFile([alice(xvfb.display), bob, carol]));
  const seen = await until('the change', () => reported(3));
  assert.deepEqual(seen.userSessions[2], { id: 'pts/5', user: 'carol', state: 'active', kind: 'remote' });
  await writeFile(utmpPath, utmpFile([alice(xvfb.display), bob]));
  await until('carol gone', () => reported(2));
});

test('stopped, the device shows offline; run again without --enroll-file, it comes back with its stored credential', async () => {
  process.kill(agent.pid, 'SIGTERM');
  assert.deepEqual(await agent.exited, { code: 0, signal: null });
  await until('offline', () => relay.handle.agents.get(deviceId)?.online === false);
  agent = run([]);
  const [, again] = await agent.waitFor(/ready as device (\w+)/);
  assert.equal(again, deviceId);
  await until('online', () => relay.handle.agents.get(deviceId)?.online);
});

test("attended, at session level: the host starts on that session's display, tells the user who asked, then shows the consent window", async () => {
  const from = agent.mark();
  const response = await relay.requestAssistance({ deviceId, mode: 'attended', userSessionId: xvfb.display });
  assert.equal(response.mode, 'attended');
  // The answer comes once the host is in: the user has been told before the operator has the file.
  await agent.waitFor(
    new RegExp(`started the host for session ${response.sessionId} \\(pid \\d+ on ${xvfb.display}\\)`),
    { from },
  );
  await agent.waitFor(
    /shown host-requested: Remote assistance was requested by Ada Lovelace \(Help Desk\) You will be asked before/,
    { from },
  );

  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(response) });
  await op.next('session:waiting');
  await agent.waitFor(
    /shown consent,consent-operator,consent-organisation: Ada Lovelace from Help Desk wants to view and control your screen/,
    { from },
  );
  op.close();
  await expireAndWaitForHostExit(response.sessionId);
});

test('dynamic, at device level: alice is active at the console, so it is attended, in her session', async () => {
  const from = agent.mark();
  const response = await relay.requestAssistance({ deviceId, mode: 'dynamic' });
  assert.equal(response.mode, 'attended');
  assert.match(response.modeReason, /alice is signed in at the device's console/);
  await agent.waitFor(
    new RegExp(`started the host for session ${response.sessionId} \\(pid \\d+ on ${xvfb.display}\\)`),
    { from },
  );
  await agent.waitFor(/shown host-requested: Remote assistance was requested by Ada Lovelace/, { from });
  await expireAndWaitForHostExit(response.sessionId);
});

/** An unattended assistance the operator is in, the host showing the user so: its session and host pid. */
async function unattendedUnderControl() {
  const from = agent.mark();
  const response = await relay.requestAssistance({ deviceId, mode: 'unattended' });
  assert.ok(response.password);
  const [, hostPid] = (await agent.waitFor(
    new RegExp(`started the host for session ${response.sessionId} \\(pid (\\d+)`),
    { from },
  )) as [string, string];
  await agent.waitFor(
    /shown host-requested: Remote assistance was requested by Ada Lovelace \(Help Desk\) They can connect without asking/,
    { from },
  );
  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(response), password: response.password });
  assert.equal((await op.next('session:admitted')).unattended, true);
  await agent.waitFor(
    /shown indicator,unattended-banner,relay-route: This device is under remote control by Ada Lovelace.* Relay: direct/,
    {
      from,
    },
  );
  return { op, sessionId: response.sessionId, hostPid: Number(hostPid), from };
}

test('the host process killed mid-assistance (not a network drop): the agent says so and it ends at once, host-closed', async () => {
  const { op, sessionId, hostPid } = await unattendedUnderControl();
  const killed = performance.now();
  process.kill(hostPid, 'SIGKILL');
  assert.deepEqual(await op.next('session:ended', { timeoutMs: 5_000 }), { sessionId, reason: 'host-closed' });
  const operatorMs = performance.now() - killed;
  console.log(`# host killed → operator told in ${operatorMs.toFixed(0)} ms`);
  // Over for good, and audited as the device's doing.
  const [row] = relay.handle.audit.query({ action: 'assistance.ended', limit: 1 });
  assert.deepEqual([row?.sessionId, row?.detail.reason, row?.actor.kind], [sessionId, 'host-closed', 'device']);
});

test("the agent's connection cut under it (the agent runs on): it reconnects, the assistance and its host go on", async () => {
  const { op, sessionId, hostPid } = await unattendedUnderControl();
  const [port, ...others] = connectionsTo(agent.pid, relay.port);
  assert.ok(port !== undefined && others.length === 0, 'the agent holds one connection to the relay');

  const mark = agent.mark();
  const cut = performance.now();
  // The kernel aborts the agent's socket (both ends see a reset), as a dropped network path would.
  execFileSync('ss', ['-K', '-tn', 'dst', '127.0.0.1', 'dport', '=', `:${relay.port}`, 'sport', '=', `:${port}`]);
  const [, why] = (await agent.waitFor(/disconnected from the relay \((.*)\)/, { from: mark })) as [string, string];
  await agent.waitFor(/ready as device/, { from: mark });
  const backMs = performance.now() - cut;
  await until('online again', () => relay.handle.agents.get(deviceId)?.online);
  const relaySaw = relay.logs.findLast((e) => e.msg === 'agent disconnected')?.fields.reason;
  console.log(
    `# agent connection cut (agent: ${why}, relay: ${String(relaySaw)}) → agent back in ${backMs.toFixed(0)} ms`,
  );
  assert.ok(
    relay.logs.some((e) => e.msg === 'agent back: its assistances go on' && e.fields.device === deviceId),
    'the relay re-bound the assistance to the new connection',
  );

  await op.flush();
  assert.deepEqual(op.received('session:ended'), [], 'the operator noticed nothing');
  assert.ok(running(hostPid), 'the host runs on');
  assert.ok(!agent.lines.slice(mark).some((line) => line.includes('host-over')), 'the user was told nothing');
  assert.ok(relay.handle.agents.get(deviceId)?.online);

  // Over later: the agent, on its new connection, is told to stop the host, and does.
  const socket = op.socket.id;
  op.close();
  await until('the operator out', () =>
    relay.logs.some((e) => e.msg === 'operator disconnected' && e.fields.socket === socket),
  );
  await expireAndWaitForHostExit(sessionId);
});

test('unattended, then the agent is killed: the operator and the user are told why within seconds, the device shows offline', async () => {
  const { op, sessionId, hostPid, from } = await unattendedUnderControl();

  const killed = performance.now();
  process.kill(agent.pid, 'SIGKILL');
  // The relay waits a few seconds for an agent whose connection closed to come back (hub.ts).
  const ended = await op.next('session:ended', { timeoutMs: 10_000 });
  const operatorMs = performance.now() - killed;
  assert.deepEqual(ended, { sessionId, reason: 'agent-restarted' });
  // The host outlives the agent (it writes to the same output) and shows the user why, for good.
  await agent.waitFor(
    /shown host-over,host-ended,nothing-shared: The device's agent restarted, so the assistance ended\. Nothing is shared any more; you can close this window\./,
    { from, timeoutMs: 10_000 },
  );
  const userMs = performance.now() - killed;
  console.log(`# agent killed → operator told in ${operatorMs.toFixed(0)} ms, user shown in ${userMs.toFixed(0)} ms`);
  // The relay waits DEFAULT_AGENT_CLOSED_GRACE_MS (5 s) for a closed agent to come back, and no longer.
  assert.ok(operatorMs >= 4_900 && operatorMs < 6_500, `the operator told after the 5 s wait (${operatorMs} ms)`);
  assert.ok(userMs >= operatorMs && userMs < 7_000, `the user shown right after (${userMs} ms)`);
  await until('offline', () => relay.handle.agents.get(deviceId)?.online === false);
  // Having shown why for a few seconds, its window closes itself and the host leaves.
  await agent.waitFor(/window closed: nothing is shared any more/, { from });
  await until('the orphaned host gone', () => !running(hostPid));

  // Restarted, it resumes nothing: the assistance is over, and no host starts until asked.
  agent = run([]);
  await agent.waitFor(/ready as device/);
  await until('online', () => relay.handle.agents.get(deviceId)?.online);
  assert.deepEqual(await lastingChildren(agent.pid), []);
});

test("the device's configuration requires the verification words: its hosts give unattended assistances the screen, view only", async () => {
  process.kill(agent.pid, 'SIGTERM');
  await agent.exited;
  const config = path.join(dir, 'agent.json');
  await writeFile(config, JSON.stringify({ verification: { required: true } }));
  agent = run([], config);
  await agent.waitFor(/verification words: required before control \(unattended: view only without them\)/);
  await agent.waitFor(/ready as device/);
  await until('online', () => relay.handle.agents.get(deviceId)?.online);

  const from = agent.mark();
  const response = await relay.requestAssistance({ deviceId, mode: 'unattended' });
  await agent.waitFor(new RegExp(`started the host for session ${response.sessionId}`), { from });
  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(response), password: response.password });
  assert.equal((await op.next('session:admitted')).unattended, true);
  // The relay admitted it for control; the host, by the device's own setting, says view only.
  assert.equal((await op.next('session:mode', { timeoutMs: 10_000 })).mode, 'view');
  await agent.waitFor(
    /shown indicator,unattended-banner,words-waiting,relay-route: This device is under remote control by Ada Lovelace \(Help Desk\), unattended assistance, view only .*gets control once you have compared four words with them/,
    { from },
  );
  const socket = op.socket.id;
  op.close();
  await until('the operator out', () =>
    relay.logs.some((e) => e.msg === 'operator disconnected' && e.fields.socket === socket),
  );
  await expireAndWaitForHostExit(response.sessionId);
});

test('a device removed from the relay: the agent says its credential was refused and exits 3 instead of retrying', async () => {
  process.kill(agent.pid, 'SIGTERM');
  await agent.exited;
  assert.equal(relay.handle.devices.remove(deviceId), true);
  agent = run([]);
  assert.deepEqual(await agent.exited, { code: 3, signal: null });
  await agent.waitFor(/the relay refused this device's credential .*enrol it again with --enroll/);
});

test('the agent a device runs has no development launcher: --launcher chromium is a usage mistake (exit 2)', async () => {
  const shipped = startAgent(
    ['--relay', relay.url, '--state-dir', stateDir, '--launcher', 'chromium'],
    process.env,
    PRODUCT_AGENT_BUNDLE,
  );
  agents.push(shipped);
  assert.deepEqual(await shipped.exited, { code: 2, signal: null });
  await shipped.waitFor(/cannot start hosts with --launcher chromium/);
});
