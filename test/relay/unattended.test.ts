/**
 * Unattended assistances through a real relay: the one-time password admits the operator
 * without consent, wrong ones are spaced out and lock the assistance, nothing is reusable, and
 * a dropped operator resumes with its token.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { AssistanceResponse } from '../../src/shared/relay-api.js';
import {
  activationToken,
  startTestRelay,
  type DeviceHostClient,
  type OperatorClient,
  type TestRelay,
} from '../../dev/rig/relay.js';

const offer = { type: 'offer', sdp: 'v=0 test offer' };

/** A password that is well-formed but not the assistance's. */
function wrongPassword(right: string): string {
  return right.startsWith('2') ? `3${right.slice(1)}` : `2${right.slice(1)}`;
}

describe('unattended assistance', () => {
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay();
  });
  afterEach(() => relay.closeClients());
  after(() => relay.close());

  /** An enrolled, connected device with an unattended assistance prepared, and the operator connected. */
  async function prepared(): Promise<{
    host: DeviceHostClient;
    op: OperatorClient;
    assistance: AssistanceResponse;
    password: string;
  }> {
    const host = await relay.connectDevice();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    assert.equal((await host.next('assistance:prepared')).sessionId, assistance.sessionId);
    const op = await relay.connectOperator();
    return { host, op, assistance, password: assistance.password! };
  }

  it('admits with the right password, however it is typed, without asking the host', async () => {
    const { host, op, assistance, password } = await prepared();
    const { sessionId } = assistance;
    op.emit('assistance:open', {
      activation: activationToken(assistance),
      password: ` ${password.toUpperCase().replace(/-/g, ' ')} `,
    });
    const admitted = await op.next('session:admitted');
    assert.deepEqual(
      { ...admitted, resumeToken: undefined },
      { sessionId, mode: 'control', unattended: true, resumeToken: undefined },
    );
    assert.equal(Buffer.from(admitted.resumeToken!, 'base64url').length, 32);
    assert.deepEqual(await host.next('session:unattended-start'), { sessionId, operator: relay.operatorIdentity });
    op.emit('session:signal', { sessionId, signal: offer });
    assert.deepEqual(await host.next('session:signal'), { sessionId, signal: offer });
    await host.flush();
    assert.deepEqual(host.received('session:join-request'), [], 'nobody was asked for consent');
  });

  it('asks for the password when it is missing', async () => {
    const { op, assistance } = await prepared();
    op.emit('assistance:open', { activation: activationToken(assistance) });
    const err = await op.next('relay:error');
    assert.equal(err.code, 'password-required');
    assert.equal(err.event, 'assistance:open');
  });

  it('spaces out wrong passwords (1, 2, 4, 8 s by the relay clock) and locks at the fifth', async () => {
    const { host, op, assistance, password } = await prepared();
    const activation = activationToken(assistance);
    const attempt = async (pw: string) => {
      op.emit('assistance:open', { activation, password: pw });
      return op.next('relay:error');
    };
    for (let failure = 1; failure <= 4; failure++) {
      const wrong = await attempt(wrongPassword(password));
      assert.deepEqual([wrong.code, wrong.attemptsLeft], ['wrong-password', 5 - failure]);
      const delay = 1000 * 2 ** (failure - 1);
      // Even the right password is not heard during the back-off.
      const early = await attempt(password);
      assert.deepEqual([early.code, early.retryAfterMs], ['retry-later', delay]);
      relay.clock.advance(delay - 1);
      assert.deepEqual([(await attempt(password)).retryAfterMs], [1]);
      relay.clock.advance(1);
    }
    const fifth = await attempt(wrongPassword(password));
    assert.equal(fifth.code, 'locked');
    relay.clock.advance(60_000);
    assert.equal((await attempt(password)).code, 'locked', 'the right password no longer helps');
    await op.flush();
    await host.flush();
    assert.deepEqual([op.received('session:admitted'), host.received('session:unattended-start')], [[], []]);

    // The operator requests a new one for the same device; it works.
    const fresh = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    assert.equal((await host.next('assistance:prepared')).sessionId, fresh.sessionId);
    op.emit('assistance:open', { activation: activationToken(fresh), password: fresh.password! });
    assert.equal((await op.next('session:admitted')).sessionId, fresh.sessionId);
  });

  it('checks concurrent attempts one after the other, so the back-off holds', async () => {
    const { op, assistance, password } = await prepared();
    const activation = activationToken(assistance);
    op.emit('assistance:open', { activation, password: wrongPassword(password) });
    op.emit('assistance:open', { activation, password: wrongPassword(password) });
    const second = await relay.connectOperator();
    second.emit('assistance:open', { activation, password });
    const answers = [await op.next('relay:error'), await op.next('relay:error'), await second.next('relay:error')];
    assert.deepEqual(
      answers.map((e) => e.code),
      ['wrong-password', 'retry-later', 'retry-later'],
    );
  });

  it('works once: the file and the password are refused on any later connection', async () => {
    const { op, assistance, password } = await prepared();
    const activation = activationToken(assistance);
    op.emit('assistance:open', { activation, password });
    await op.next('session:admitted');
    op.emit('assistance:open', { activation, password });
    assert.equal((await op.next('relay:error')).code, 'activation-used');
    const fresh = await relay.connectOperator();
    fresh.emit('assistance:open', { activation, password });
    assert.equal((await fresh.next('relay:error')).code, 'activation-used');
    fresh.emit('assistance:open', { activation });
    assert.equal((await fresh.next('relay:error')).code, 'activation-used');
  });

  it('resumes after a network drop with the token: no password, no host prompt; the host resets its peer', async () => {
    const { host, op, assistance, password } = await prepared();
    const { sessionId } = assistance;
    op.emit('assistance:open', { activation: activationToken(assistance), password });
    const { resumeToken } = await op.next('session:admitted');
    await host.next('session:unattended-start');
    op.close();
    const back = await relay.connectOperator();
    back.emit('session:resume', { sessionId, resumeToken: resumeToken! });
    assert.deepEqual(await back.next('session:admitted'), { sessionId, mode: 'control', unattended: true });
    assert.deepEqual(await host.next('session:peer-reset'), { sessionId });
    back.emit('session:signal', { sessionId, signal: offer });
    assert.deepEqual(await host.next('session:signal'), { sessionId, signal: offer });
    await host.flush();
    assert.deepEqual(
      [
        host.received('session:ended'),
        host.received('session:unattended-start'),
        host.received('session:join-request'),
      ],
      [[], [], []],
      'the drop did not end the session for the host',
    );
  });

  it('lets a new connection take over from a half-open one', async () => {
    const { op, assistance, password } = await prepared();
    const { sessionId } = assistance;
    op.emit('assistance:open', { activation: activationToken(assistance), password });
    const { resumeToken } = await op.next('session:admitted');
    const back = await relay.connectOperator();
    back.emit('session:resume', { sessionId, resumeToken: resumeToken! });
    await back.next('session:admitted');
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'replaced' });
  });

  it('refuses a wrong resume token, and the right one from another operator', async () => {
    const { op, assistance, password } = await prepared();
    const { sessionId } = assistance;
    op.emit('assistance:open', { activation: activationToken(assistance), password });
    const { resumeToken } = await op.next('session:admitted');
    op.close();
    const back = await relay.connectOperator();
    back.emit('session:resume', { sessionId, resumeToken: 'A'.repeat(43) });
    assert.equal((await back.next('relay:error')).code, 'forbidden');
    const other = await relay.connectOperator((await relay.addOperator('Grace Hopper')).token);
    other.emit('session:resume', { sessionId, resumeToken: resumeToken! });
    assert.equal((await other.next('relay:error')).code, 'forbidden');
    await other.flush();
    assert.deepEqual(other.received('session:admitted'), []);
  });
});
