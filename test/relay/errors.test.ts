/**
 * What the relay does with messages it must refuse: wrong session, wrong role, unknown events,
 * malformed payloads. Each is answered with relay:error, logged without secrets, and the relay
 * keeps serving.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestRelay, type HostClient, type OperatorClient, type TestRelay } from '../../dev/rig/relay.js';

const offer = { type: 'offer', sdp: 'v=0 test offer' };

/** Proves the session still works: a signal each way between the admitted operator and its host. */
async function assertStillServing(host: HostClient, op: OperatorClient, sessionId: string): Promise<void> {
  op.emit('session:signal', { sessionId, signal: offer });
  assert.deepEqual(await host.next('session:signal'), { sessionId, signal: offer });
  host.emit('session:signal', { sessionId, signal: { type: 'answer', sdp: 'v=0' } });
  assert.equal((await op.next('session:signal')).signal.type, 'answer');
}

describe('relay refusals', () => {
  // One relay for the file: every test opens its own hosts, hence its own sessions.
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay();
  });
  afterEach(() => relay.closeClients());
  after(() => relay.close());

  describe('not-in-session', () => {
    it("refuses a host naming another host's session", async () => {
      const { host, op, sessionId } = await relay.openSession('control');
      const other = await relay.connectHost();
      const attempts = [
        ['session:consent', { sessionId, decision: 'control' }],
        ['session:mode', { sessionId, mode: 'view' }],
        ['session:signal', { sessionId, signal: offer }],
        ['session:end', { sessionId }],
      ] as const;
      for (const [event, payload] of attempts) {
        other.emitRaw(event, payload);
        const err = await other.next('relay:error');
        assert.equal(err.code, 'not-in-session', event);
        assert.equal(err.event, event);
      }
      await op.flush();
      assert.deepEqual(
        [op.received('session:mode'), op.received('session:signal'), op.received('session:ended')],
        [[], [], []],
      );
      await assertStillServing(host, op, sessionId);
    });

    it('refuses an operator naming a session it is not admitted to', async () => {
      const { host, sessionId } = await relay.openSession(null);
      const outsider = await relay.connectOperator((await relay.addOperator('Grace Hopper')).token);
      const attempts = [
        ['session:consent', { sessionId, decision: 'control' }],
        ['session:mode', { sessionId, mode: 'control' }],
        ['session:end', { sessionId }],
      ] as const;
      for (const [event, payload] of attempts) {
        outsider.emitRaw(event, payload);
        assert.equal((await outsider.next('relay:error')).code, 'not-in-session', event);
      }
      await host.flush();
      assert.deepEqual(host.received('session:ended'), []);
    });

    it('refuses a pending operator consenting to itself', async () => {
      const { host, op, sessionId } = await relay.openSession(null);
      op.emit('session:consent', { sessionId, decision: 'control' });
      assert.equal((await op.next('relay:error')).code, 'not-in-session');
      await op.flush();
      assert.deepEqual(op.received('session:admitted'), []);
      host.emit('session:consent', { sessionId, decision: 'view' });
      assert.equal((await op.next('session:admitted')).mode, 'view', 'the request is still pending for the host');
    });
  });

  describe('forbidden', () => {
    it('refuses host-only events from the admitted operator', async () => {
      const { host, op, sessionId } = await relay.openSession('view');
      op.emit('session:mode', { sessionId, mode: 'control' });
      assert.equal((await op.next('relay:error')).code, 'forbidden');
      op.emit('session:consent', { sessionId, decision: 'control' });
      assert.equal((await op.next('relay:error')).code, 'forbidden');
      await host.flush();
      await op.flush();
      assert.deepEqual(op.received('session:mode'), []);
      assert.deepEqual(op.received('session:admitted'), []);
    });

    it('refuses a join from a host', async () => {
      const host = await relay.connectHost();
      const other = await relay.connectHost();
      host.emit('session:join', { sessionId: other.sessionId });
      const err = await host.next('relay:error');
      assert.equal(err.code, 'forbidden');
      assert.equal(err.event, 'session:join');
      await other.flush();
      assert.deepEqual(other.received('session:join-request'), []);
    });
  });

  it('answers an unknown event with unknown-event, naming it', async () => {
    const host = await relay.connectHost();
    host.emitRaw('session:hijack', { sessionId: host.sessionId });
    assert.deepEqual(await host.next('relay:error'), {
      code: 'unknown-event',
      event: 'session:hijack',
      message: 'unknown event "session:hijack"',
    });
    host.emitRaw('__proto__', {});
    assert.equal((await host.next('relay:error')).code, 'unknown-event');
  });

  describe('bad payloads', () => {
    /** Each case: the arguments emitted with the event, given the session's ID. */
    const bad: Array<[string, string, (sessionId: string) => unknown[]]> = [
      ['a string', 'session:signal', () => ['offer']],
      ['a number', 'session:signal', () => [42]],
      ['null', 'session:end', () => [null]],
      ['no payload at all', 'session:mode', () => []],
      ['a missing sessionId', 'session:signal', () => [{ signal: offer }]],
      ['a malformed sessionId', 'session:end', () => [{ sessionId: '12345' }]],
      ['an unknown decision', 'session:consent', (sessionId) => [{ sessionId, decision: 'admin' }]],
      [
        'an oversize sdp',
        'session:signal',
        (sessionId) => [{ sessionId, signal: { type: 'offer', sdp: 'a'.repeat(65_000) } }],
      ],
      [
        'an oversize signal',
        'session:signal',
        (sessionId) => [{ sessionId, signal: { candidate: 'c'.repeat(90_000) } }],
      ],
    ];

    for (const [what, event, args] of bad) {
      it(`refuses ${what} (${event}) and keeps serving`, async () => {
        const { host, op, sessionId } = await relay.openSession('control');
        op.emitRaw(event, ...args(sessionId));
        const err = await op.next('relay:error');
        assert.equal(err.code, 'bad-payload');
        assert.equal(err.event, event);
        assert.match(err.message, new RegExp(`^invalid ${event} payload: .+`));
        await host.flush();
        assert.deepEqual(host.received('session:signal'), [], 'nothing was forwarded');
        await assertStillServing(host, op, sessionId);
      });
    }

    it('drops a connection sending a message far beyond any valid one, and serves the others', async () => {
      const { host, op, sessionId } = await relay.openSession('control');
      const disconnected = new Promise((resolve) => op.socket.once('disconnect', resolve));
      op.emitRaw('session:signal', { sessionId, signal: { sdp: 'a'.repeat(300_000) } });
      await disconnected;
      assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'operator-gone' });
      const op2 = await relay.connectOperator();
      op2.emit('session:join', { sessionId });
      await host.next('session:join-request');
      host.emit('session:consent', { sessionId, decision: 'control' });
      await op2.next('session:admitted');
      await assertStillServing(host, op2, sessionId);
    });

    it('says which field failed and why', async () => {
      const host = await relay.connectHost();
      host.emitRaw('session:mode', { sessionId: host.sessionId, mode: 'admin' });
      assert.match((await host.next('relay:error')).message, /^invalid session:mode payload: mode: /);
      host.emitRaw('session:end', 'x');
      assert.match((await host.next('relay:error')).message, /^invalid session:end payload: .*expected object/);
    });
  });

  it('logs every refusal with event, socket and code, without signal contents', async () => {
    const { op, sessionId } = await relay.openSession('control');
    const secretSdp = 'v=0 SECRET-SDP-' + 'x'.repeat(70_000);
    op.emitRaw('session:signal', { sessionId, signal: { type: 'offer', sdp: secretSdp } });
    await op.next('relay:error');
    op.emitRaw('no:such-event', { payload: 'SECRET-PAYLOAD' });
    await op.next('relay:error');
    const outsider = await relay.connectHost();
    outsider.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'SECRET-SDP-2' } });
    await outsider.next('relay:error');

    const sockets = [op.socket.id, outsider.socket.id];
    const refusals = relay.logs.filter((l) => l.msg === 'refused' && sockets.includes(l.fields.socket as string));
    const expected = [
      { socket: op.socket.id, event: 'session:signal', code: 'bad-payload' },
      { socket: op.socket.id, event: 'no:such-event', code: 'unknown-event' },
      { socket: outsider.socket.id, event: 'session:signal', code: 'not-in-session' },
    ];
    assert.deepEqual(
      refusals.map(({ level, fields }) => ({ level, socket: fields.socket, event: fields.event, code: fields.code })),
      expected.map((e) => ({ level: 'warn', ...e })),
    );
    assert.ok(!JSON.stringify(relay.logs).includes('SECRET'), 'payload contents reached the log');
  });
});
