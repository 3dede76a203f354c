/**
 * No secret ever reaches the relay's log. The relay runs as a support desk runs it (`relay
 * serve`, at debug level, its most talkative), and every kind of secret goes through it the way
 * clients use them, wrong ones too: operator, device, enrolment, agent and host tokens, the
 * activation file, the one-time password, both resume tokens (with a resume), the console's
 * setup link, password and session cookie, and the token pepper. Then every line it wrote, on
 * stdout and stderr, is searched for each of them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startRelayProcess, type RelayProcess } from '../../dev/rig/relay-process.js';
import { activationToken, connectClient } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { AGENT_NAMESPACE, ENROL_PATH } from '../../src/shared/agent-protocol.js';
import { CONSOLE_API } from '../../src/shared/console-api.js';

let relay: RelayProcess;
/** Each secret the test used, by what it is. */
const secrets = new Map<string, string>();

before(async () => {
  relay = await startRelayProcess({ env: { FLXRA_RELAY_LOG_LEVEL: 'debug' } });
});
after(() => relay.close());

async function post(route: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${relay.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

test('no secret that passed through the relay, right or wrong, is in anything it logged', async () => {
  secrets.set('operator token', relay.operatorToken);
  secrets.set('token pepper', (await readFile(path.join(relay.dataDir, 'token-pepper'))).toString('base64'));

  // A device's host with its token, an unattended assistance, the operator with a wrong password then the right one.
  const device = await relay.addDevice('Kiosk 7');
  secrets.set('device token', device.token);
  const host = await connectClient(relay.url, { role: 'host', deviceName: 'Kiosk 7', deviceToken: device.token });
  await host.next('host:ready');
  const assistance = await relay.requestAssistance({ deviceId: device.id, mode: 'unattended' });
  secrets.set('one-time password', assistance.password!);
  secrets.set('activation file', activationToken(assistance));
  const { hostResumeToken, sessionId } = await host.next('assistance:prepared');
  secrets.set('host resume token', hostResumeToken);
  const op = await connectClient(relay.url, { role: 'operator', token: relay.operatorToken });
  await op.next('operator:ready');
  const wrongPassword = 'WRONG-PASSWORD-7Q2X';
  secrets.set('wrong one-time password', wrongPassword);
  op.emit('assistance:open', { activation: activationToken(assistance), password: wrongPassword });
  assert.equal((await op.next('relay:error')).code, 'wrong-password');
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // the back-off after one wrong password
  op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password });
  const { resumeToken } = await op.next('session:admitted');
  secrets.set('operator resume token', resumeToken!);
  // Both sides come back on new connections with their resume tokens.
  op.close();
  const back = await connectClient(relay.url, { role: 'operator', token: relay.operatorToken });
  await back.next('operator:ready');
  back.emit('session:resume', { sessionId, resumeToken: resumeToken! });
  await back.next('session:admitted');
  host.socket.io.engine.close(); // a network drop, not flxra quitting
  const hostBack = await connectClient(relay.url, {
    role: 'host',
    deviceName: 'ignored',
    resume: { sessionId, token: hostResumeToken },
  });
  await hostBack.next('host:resumed');
  const wrongOperatorToken = `${relay.operatorToken.slice(0, -4)}XXXX`;
  secrets.set('wrong operator token', wrongOperatorToken);
  await assert.rejects(connectClient(relay.url, { role: 'operator', token: wrongOperatorToken }));

  // A device agent: enrolled with its token, connected with its own.
  const enrolmentToken = await relay.enrolmentToken('Kiosks');
  secrets.set('enrolment token', enrolmentToken);
  const enrolled = await post(ENROL_PATH, {
    enrolmentToken,
    hostname: 'kiosk-8',
    os: 'Linux',
    agentVersion: '26.11.0',
  });
  assert.equal(enrolled.status, 201);
  const { agentToken } = (await enrolled.json()) as { agentToken: string };
  secrets.set('agent token', agentToken);
  const agent = await connectClient(new URL(AGENT_NAMESPACE, relay.url).href, {
    role: 'agent',
    agentToken,
    instanceId: randomUUID(),
  });
  await agent.next('agent:ready' as never); // the fixture's client is typed for the default namespace

  // The console: its first administrator through the setup link, a wrong password, a sign-in.
  const setupLine = relay.lines.find((l) => l.startsWith('Set up the first administrator: '));
  assert.ok(setupLine, 'the relay prints its setup link');
  const setupToken = new URL(setupLine.slice('Set up the first administrator: '.length)).hash.replace(/^#/, '');
  secrets.set('console setup token', setupToken);
  const password = 'correct horse battery staple 42';
  secrets.set('console password', password);
  const made = await post(`${CONSOLE_API}/setup`, {
    setupToken,
    username: 'admin',
    name: 'Grace Hopper',
    organisation: 'Help Desk',
    password,
  });
  assert.equal(made.status, 201, await made.clone().text());
  const wrongConsolePassword = 'not the password at all 99';
  secrets.set('wrong console password', wrongConsolePassword);
  assert.equal((await post(`${CONSOLE_API}/login`, { username: 'admin', password: wrongConsolePassword })).status, 401);
  const signedIn = await post(`${CONSOLE_API}/login`, { username: 'admin', password });
  assert.equal(signedIn.status, 200);
  const cookie = /=([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(cookie, 'a session cookie');
  secrets.set('console session cookie', decodeURIComponent(cookie));
  // A changed password, a new user's, and a temporary one the relay made in a reset.
  const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
  const asAdmin = { cookie: `flxra_console=${cookie}`, 'x-flxra-csrf': csrfToken };
  const changedPassword = 'quiet meadow lantern 58';
  secrets.set('changed console password', changedPassword);
  const changed = await post(
    `${CONSOLE_API}/me/password`,
    { currentPassword: password, newPassword: changedPassword },
    asAdmin,
  );
  assert.equal(changed.status, 200, await changed.clone().text());
  const userPassword = 'copper thistle orbit 23';
  secrets.set("a new user's password", userPassword);
  const user = { username: 'olivia', name: 'Olivia', role: 'operator', password: userPassword };
  assert.equal((await post(`${CONSOLE_API}/users`, user, asAdmin)).status, 201);
  const reset = await post(`${CONSOLE_API}/users/olivia/password`, {}, asAdmin);
  secrets.set('temporary console password', ((await reset.json()) as { password: string }).password);

  for (const client of [back, hostBack, agent]) client.close();
  await until('the relay logged the clients leaving', () => relay.lines.some((l) => l.includes('agent disconnected')));
  // The setup link is shown once, to whoever started the relay, on purpose: no other line has its token.
  const logged = relay.lines.filter((l) => l !== setupLine);
  assert.ok(logged.length > 30, `the relay logged what happened (${logged.length} lines)`);
  assert.ok(
    logged.some((l) => l.includes('"level":"debug"')),
    'at debug level, every event it handled',
  );
  for (const [what, secret] of secrets) {
    assert.ok(secret.length >= 8, `${what} is a real secret`);
    const leaks = logged.filter((l) => l.includes(secret));
    assert.deepEqual(leaks, [], `the ${what} is in the relay's log`);
  }
});
