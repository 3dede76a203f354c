/**
 * What a HostSession and an OperatorSession do with what the relay sends them: malformed
 * messages (from a socket.io server that plays a broken or hostile relay) are dropped with a log
 * line naming the event, never its payload, change nothing and throw nothing; valid ones still
 * work; the relay's handshake refusals are acted on by their code, not their wording.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { Server, type Socket } from 'socket.io';
import { HostSession } from '../../src/main/host/host-session.js';
import { OperatorSession } from '../../src/main/operator/operator-session.js';
import type { HostState, OperatorState } from '../../src/shared/ipc.js';
import { connectRefusalError, relayEvents, type ConnectRefusalCode } from '../../src/shared/protocol.js';
import { DEFAULT_VERIFICATION } from '../../src/shared/verification-policy.js';
import { activationToken, connectClient, startTestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';

const SECRET = 'flxra_op_0123456789ab_SECRET-IN-A-PAYLOAD';
const SESSION = '123456789';
const OPERATOR = { id: 'op-1', name: 'Ada Lovelace', organisation: 'Help Desk' };

/** Wrong shapes for every event the relay sends, some of them carrying a secret that must never be logged. */
const MALFORMED: Array<[string, unknown]> = [
  ...Object.keys(relayEvents).flatMap((event): Array<[string, unknown]> => [
    [event, null],
    [event, SECRET],
    [event, 42],
    [event, [SECRET]],
    [event, { sessionId: SECRET, operator: { id: SECRET } }],
  ]),
  ['host:ready', { sessionId: '12345' }],
  ['session:join-request', { sessionId: SESSION, operator: { id: 'op-1', name: SECRET } }],
  ['session:unattended-start', { sessionId: SESSION, operator: { ...OPERATOR, id: '' } }],
  ['assistance:prepared', { sessionId: SESSION, operator: OPERATOR, mode: 'unattended' }],
  ['assistance:expired', { sessionId: 123456789 }],
  ['session:ended', { sessionId: SESSION, reason: 'because' }],
  ['session:signal', { sessionId: SESSION, signal: { sdp: 'x'.repeat(70_000) } }],
  ['operator:ready', { operator: { ...OPERATOR, organisation: 7 } }],
  ['session:waiting', { sessionId: SESSION }],
  ['session:admitted', { sessionId: SESSION, mode: 'admin', resumeToken: SECRET }],
  ['session:mode', { sessionId: SESSION, mode: 'everything' }],
  ['relay:error', { code: 'made-up', message: SECRET }],
  [
    'session:ice',
    {
      sessionId: SESSION,
      ice: {
        iceServers: [{ urls: ['https://turn.example.org'], username: `1:${SECRET}`, credential: SECRET }],
        iceTransportPolicy: 'relay',
        expiresAt: 1,
      },
    },
  ],
];

/** A socket.io server standing in for the relay: the test says what it sends, and how it answers the handshake. */
async function fakeRelay(t: TestContext, refuse?: { code: ConnectRefusalCode; message: string } | Error) {
  const http = createServer();
  const io = new Server(http);
  if (refuse) {
    io.use((_socket, next) =>
      next(refuse instanceof Error ? refuse : connectRefusalError(refuse.code, refuse.message)),
    );
  }
  const clients: Socket[] = [];
  const waiters: Array<(s: Socket) => void> = [];
  io.on('connection', (socket) => {
    clients.push(socket);
    waiters.splice(0).forEach((w) => w(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    client: () => (clients[0] ? Promise.resolve(clients[0]) : new Promise<Socket>((r) => waiters.push(r))),
  };
}

/** Resolves once `ready` holds, re-checked on every pushed state (3 s at most). */
/** Waits for a state of `get()` that `ready` accepts, and returns it. */
function watcher<S>(get: () => S) {
  return {
    until: (ready: (s: S) => boolean, what: string): Promise<S> =>
      until(`reached ${what}`, () => ready(get()) && get(), { timeoutMs: 3_000, seen: get }),
  };
}

function hostFor(t: TestContext, url: string) {
  const states: HostState[] = [];
  const logs: string[] = [];
  const input: string[] = [];
  const host: HostSession = new HostSession({
    relayUrl: url,
    deviceName: 'desk-42',
    input: {
      setEnabled: (on) => void input.push(on ? 'enabled' : 'disabled'),
      handle: (e) => void input.push(`event:${e.t}`),
      releaseAll: () => void input.push('release-all'),
    },
    displays: () => [],
    verification: DEFAULT_VERIFICATION,
    emit: (channel, payload) => {
      if (channel === 'host:state') states.push(payload as HostState);
    },
    log: (line) => void logs.push(line),
  });
  const w = watcher(() => host.state);
  t.after(() => host.stop());
  host.start();
  return { host, states, logs, input, until: w.until };
}

function operatorFor(t: TestContext, url: string, token = 'flxra_op_000000000000_token') {
  const states: OperatorState[] = [];
  const logs: string[] = [];
  const session: OperatorSession = new OperatorSession({
    relayUrl: url,
    token,
    emit: (channel, payload) => {
      if (channel === 'operator:state') states.push(payload as OperatorState);
    },
    log: (line) => void logs.push(line),
  });
  t.after(() => session.stop());
  return { session, states, logs, started: session.start() };
}

/** The relay events each side listens to (the others never reach a handler: socket.io drops them). */
const HOST_EVENTS = [
  'host:ready',
  'assistance:prepared',
  'session:unattended-start',
  'assistance:expired',
  'session:join-request',
  'session:signal',
  'session:peer-reset',
  'host:resumed',
  'session:ice',
  'session:ended',
  'relay:error',
];
const OPERATOR_EVENTS = [
  'operator:ready',
  'session:waiting',
  'session:admitted',
  'session:mode',
  'session:away',
  'session:back',
  'session:signal',
  'session:ice',
  'session:ended',
  'relay:error',
];

function assertLoggedSafely(logs: string[], events: string[]) {
  for (const event of events) {
    assert.ok(
      logs.some((l) => l.endsWith(`] ignored a malformed ${event} from the relay`)),
      `no log line names ${event}`,
    );
  }
  assert.ok(!logs.join('\n').includes('SECRET'), 'a payload was logged');
}

test('a host drops every malformed relay message without a change, and still answers a valid one', async (t) => {
  const relay = await fakeRelay(t);
  const h = hostFor(t, relay.url);
  const socket = await relay.client();
  socket.emit('host:ready', { sessionId: SESSION });
  await h.until((s) => s.status === 'ready', 'ready');

  for (const [event, payload] of MALFORMED) socket.emit(event, payload);
  // Delivered in order: once the valid request is in, every malformed one before it was handled.
  socket.emit('session:join-request', { sessionId: SESSION, operator: OPERATOR });
  const consent = await h.until((s) => s.status === 'consent', 'consent');

  assert.deepEqual(
    h.states.map((s) => s.status),
    ['ready', 'consent'],
  );
  assert.deepEqual(consent.status === 'consent' && consent.operator, OPERATOR);
  assert.deepEqual(h.input, [], 'input untouched');
  assert.equal(h.host.captureAllowed(), false);
  assertLoggedSafely(h.logs, HOST_EVENTS);
});

test('an operator drops malformed relay messages (a valid one out of order too) and is signed in by a valid one', async (t) => {
  const relay = await fakeRelay(t);
  const op = operatorFor(t, relay.url);
  const socket = await relay.client();
  for (const [event, payload] of MALFORMED) socket.emit(event, payload);
  socket.emit('session:waiting', { sessionId: SESSION, deviceName: 'desk-42' }); // before operator:ready
  socket.emit('operator:ready', { operator: OPERATOR });
  await op.started;
  assert.deepEqual(op.states, [{ status: 'idle', operator: OPERATOR }]);
  assert.ok(op.logs.includes('[operator] could not handle session:waiting: not authenticated'));
  assertLoggedSafely(op.logs, OPERATOR_EVENTS);

  op.session.join(SESSION);
  const join = await new Promise<unknown>((resolve) => socket.once('session:join', resolve));
  assert.deepEqual(join, { sessionId: SESSION });
  for (const [event, payload] of MALFORMED) socket.emit(event, payload);
  socket.emit('session:waiting', { sessionId: SESSION, deviceName: 'desk-42' });
  const w = watcher(() => op.session.state);
  await w.until((s) => s.status === 'waiting', 'waiting');
  assert.deepEqual(op.states.slice(1), [
    { status: 'waiting', operator: OPERATOR, sessionId: SESSION, deviceName: 'desk-42' },
  ]);
});

test("the relay's refusals are read by their code: unauthorized signs out, unavailable is not the token's fault", async (t) => {
  const refused = await fakeRelay(t, { code: 'unauthorized', message: 'invalid or revoked operator token' });
  const a = operatorFor(t, refused.url);
  await a.started;
  assert.match(
    a.session.state.status === 'signed-out' ? a.session.state.message! : '',
    /did not accept your operator token/,
  );

  const busy = await fakeRelay(t, { code: 'unavailable', message: 'the relay could not check the credentials' });
  const b = operatorFor(t, busy.url);
  await b.started;
  assert.match(
    b.session.state.status === 'signed-out' ? b.session.state.message! : '',
    /could not check your operator token just now/,
  );

  // The wording alone, without the code, is no refusal: it is shown, not acted on.
  const worded = await fakeRelay(t, new Error('unauthorized: invalid or revoked operator token'));
  const c = operatorFor(t, worded.url);
  await c.started;
  assert.match(c.session.state.status === 'signed-out' ? c.session.state.message! : '', /^Cannot reach the relay at /);

  const h = hostFor(t, refused.url);
  const connecting = await h.until((s) => s.status === 'connecting' && s.message !== undefined, 'a refusal');
  assert.match(
    connecting.status === 'connecting' ? connecting.message! : '',
    /refused this device \(unauthorized\): invalid or revoked operator token/,
  );
});

test('against a real relay: a wrong operator token is refused with the unauthorized code', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const op = operatorFor(t, relay.url, `${relay.operatorToken}x`);
  await op.started;
  assert.deepEqual(op.session.state, {
    status: 'signed-out',
    relay: relay.url,
    message: `The relay at ${relay.url} did not accept your operator token. Ask its administrator for a new one.`,
  });
  assert.ok(op.logs.includes('[operator] the relay refused the operator token: invalid or revoked operator token'));
});

test('against a real relay: a file opened while the device is reconnecting waits and says so, until the user is asked', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const host = await relay.connectDevice('Kiosk 7');
  const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
  const { sessionId, hostResumeToken } = await host.next('assistance:prepared');
  host.socket.io.engine.close(); // a network drop, not a quit: the device is away
  const op = operatorFor(t, relay.url, relay.operatorToken);
  await op.started;
  void op.session.openAssistance(activationToken(assistance), sessionId, 'attended');
  const w = watcher(() => op.session.state);
  await w.until((s) => s.status === 'waiting' && s.deviceAway === true, 'waiting for a device away');
  const back = await connectClient(relay.url, {
    role: 'host',
    deviceName: 'Kiosk 7',
    resume: { sessionId, token: hostResumeToken },
  });
  t.after(() => back.close());
  assert.equal((await back.next('session:join-request')).sessionId, sessionId);
  await w.until((s) => s.status === 'waiting' && s.deviceAway === undefined, 'waiting for the user');
});
