/**
 * Opening assistances with activation files through a real relay: what the relay accepts (its
 * own signature, in time, for this operator, once), the attended consent flow, who may send the
 * assistance events, and what the user's or the operator's End does to resuming.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CompactSign, decodeProtectedHeader, generateKeyPair, importJWK, type JWK } from 'jose';
import { ACTIVATION_JWS_TYPE } from '../../src/shared/activation-file.js';
import type { AssistanceResponse } from '../../src/shared/relay-api.js';
import {
  activationToken,
  startTestRelay,
  type DeviceHostClient,
  type OperatorClient,
  type TestRelay,
} from '../../dev/rig/relay.js';

/** Flips one character of a base64url string in place (never into the same character). */
function flip(text: string, index: number): string {
  return text.slice(0, index) + (text[index] === 'A' ? 'B' : 'A') + text.slice(index + 1);
}

describe('activation files', () => {
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay();
  });
  afterEach(() => relay.closeClients());
  after(() => relay.close());

  async function attended(): Promise<{
    host: DeviceHostClient;
    op: OperatorClient;
    assistance: AssistanceResponse;
    activation: string;
  }> {
    const host = await relay.connectDevice('Reception PC');
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    await host.next('assistance:prepared');
    const op = await relay.connectOperator();
    return { host, op, assistance, activation: activationToken(assistance) };
  }

  /** The assistance:open refusal for this token. */
  async function refusal(op: OperatorClient, activation: string): Promise<string> {
    op.emit('assistance:open', { activation });
    const err = await op.next('relay:error');
    assert.equal(err.event, 'assistance:open');
    return err.code;
  }

  describe('attended', () => {
    it('asks the user for consent, then admits with a resume token; the file is then used up', async () => {
      const { host, op, assistance, activation } = await attended();
      const { sessionId } = assistance;
      op.emit('assistance:open', { activation });
      assert.deepEqual(await host.next('session:join-request'), {
        sessionId,
        operator: relay.operatorIdentity,
        deviceName: 'Reception PC',
      });
      assert.deepEqual(await op.next('session:waiting'), { sessionId, deviceName: 'Reception PC' });
      host.emit('session:consent', { sessionId, decision: 'view' });
      const admitted = await op.next('session:admitted');
      assert.deepEqual({ sessionId: admitted.sessionId, mode: admitted.mode }, { sessionId, mode: 'view' });
      assert.equal(Buffer.from(admitted.resumeToken!, 'base64url').length, 32);
      assert.equal(await refusal(await relay.connectOperator(), activation), 'activation-used');
    });

    it('lets the operator open the file again after a deny: it is used only by an admission', async () => {
      const { host, op, assistance, activation } = await attended();
      const { sessionId } = assistance;
      op.emit('assistance:open', { activation });
      await host.next('session:join-request');
      host.emit('session:consent', { sessionId, decision: 'deny' });
      assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'declined' });
      op.emit('assistance:open', { activation });
      assert.equal((await host.next('session:join-request')).sessionId, sessionId);
    });

    it('refuses a join by session ID: an assistance is entered with its file only', async () => {
      const { host, op, assistance } = await attended();
      op.emit('session:join', { sessionId: assistance.sessionId });
      const err = await op.next('relay:error');
      assert.equal(err.code, 'forbidden');
      await host.flush();
      assert.deepEqual(host.received('session:join-request'), []);
    });

    it('resumes into the mode the user chose, without a new consent', async () => {
      const { host, op, assistance, activation } = await attended();
      const { sessionId } = assistance;
      op.emit('assistance:open', { activation });
      await host.next('session:join-request');
      host.emit('session:consent', { sessionId, decision: 'control' });
      const { resumeToken } = await op.next('session:admitted');
      op.close();
      // Input choices made while the operator is away apply when it is back.
      host.emit('session:mode', { sessionId, mode: 'view' });
      await host.flush();
      const back = await relay.connectOperator();
      back.emit('session:resume', { sessionId, resumeToken: resumeToken! });
      assert.deepEqual(await back.next('session:admitted'), { sessionId, mode: 'view' });
      assert.deepEqual(await host.next('session:peer-reset'), { sessionId });
      await host.flush();
      assert.deepEqual([host.received('session:join-request'), host.received('session:ended')], [[], []]);
    });

    for (const [who, reason] of [
      ['the user', 'user-ended'],
      ['the operator', 'operator-left'],
    ] as const) {
      it(`revokes resuming when ${who} ends the session on purpose`, async () => {
        const { host, op, assistance, activation } = await attended();
        const { sessionId } = assistance;
        op.emit('assistance:open', { activation });
        await host.next('session:join-request');
        host.emit('session:consent', { sessionId, decision: 'control' });
        const { resumeToken } = await op.next('session:admitted');
        const [ender, told] = reason === 'user-ended' ? [host, op] : [op, host];
        ender.emit('session:end', { sessionId });
        assert.deepEqual(await told.next('session:ended'), { sessionId, reason });
        op.close();
        const back = await relay.connectOperator();
        back.emit('session:resume', { sessionId, resumeToken: resumeToken! });
        assert.equal((await back.next('relay:error')).code, 'session-expired');
      });
    }
  });

  describe('refusals', () => {
    it('refuses a token altered in its payload or its signature', async () => {
      const { op, activation } = await attended();
      const [header, payload, signature] = activation.split('.') as [string, string, string];
      assert.equal(await refusal(op, [header, flip(payload, 10), signature].join('.')), 'activation-invalid');
      assert.equal(await refusal(op, [header, payload, flip(signature, 5)].join('.')), 'activation-invalid');
      assert.equal(await refusal(op, 'not-a-jws'), 'activation-invalid');
      // The same signed bytes spelt otherwise (base64 decoders skip a space): one spelling only.
      const spaced = [header, payload, `${signature.slice(0, 10)} ${signature.slice(10)}`].join('.');
      assert.equal(await refusal(op, spaced), 'activation-invalid');
    });

    it('refuses the same claims signed by another key, and the relay key signing something not typed as an activation', async () => {
      const { op, activation } = await attended();
      const payload = Buffer.from(activation.split('.')[1]!, 'base64url');
      const kid = decodeProtectedHeader(activation).kid!;
      const stranger = await generateKeyPair('Ed25519');
      const forged = await new CompactSign(payload)
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: ACTIVATION_JWS_TYPE })
        .sign(stranger.privateKey);
      assert.equal(await refusal(op, forged), 'activation-invalid');

      const db = new Database(path.join(relay.dataDir, 'relay.db'), { readonly: true });
      const { private_jwk } = db.prepare('SELECT private_jwk FROM signing_keys').get() as { private_jwk: string };
      db.close();
      const relayKey = await importJWK(JSON.parse(private_jwk) as JWK, 'EdDSA');
      for (const typ of ['JWT', undefined]) {
        const mistyped = await new CompactSign(payload)
          .setProtectedHeader({ alg: 'EdDSA', kid, ...(typ ? { typ } : {}) })
          .sign(relayKey);
        assert.equal(await refusal(op, mistyped), 'activation-invalid', String(typ));
      }
      const retyped = await new CompactSign(payload)
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: ACTIVATION_JWS_TYPE })
        .sign(relayKey);
      op.emit('assistance:open', { activation: retyped });
      await op.next('session:waiting');
    });

    it('refuses a file from its exp on, by the relay clock', async () => {
      const { op, assistance, activation } = await attended();
      const exp = Date.parse(assistance.expiresAt);
      relay.clock.advance(exp - 1 - relay.clock.now());
      op.emit('assistance:open', { activation });
      await op.next('session:waiting');
      op.emit('session:end', { sessionId: assistance.sessionId });
      relay.clock.advance(1);
      assert.equal(await refusal(op, activation), 'activation-expired');
    });

    it("refuses another operator's file", async () => {
      const { host, activation } = await attended();
      const other = await relay.connectOperator((await relay.addOperator('Grace Hopper')).token);
      assert.equal(await refusal(other, activation), 'not-your-activation');
      await host.flush();
      assert.deepEqual(host.received('session:join-request'), []);
    });

    it('lets only operators open and resume, and only enrolled devices report user sessions', async () => {
      const { host, op, assistance, activation } = await attended();
      const anonymous = await relay.connectHost();
      for (const sender of [host, anonymous]) {
        sender.emit('assistance:open', { activation });
        sender.emit('session:resume', { sessionId: assistance.sessionId, resumeToken: 'A'.repeat(43) });
      }
      anonymous.emit('device:user-sessions', { sessions: [] });
      op.emit('device:user-sessions', { sessions: [] });
      for (const [client, events] of [
        [host, ['assistance:open', 'session:resume']],
        [anonymous, ['assistance:open', 'session:resume', 'device:user-sessions']],
        [op, ['device:user-sessions']],
      ] as const) {
        for (const event of events)
          assert.deepEqual(await client.next('relay:error').then((e) => [e.event, e.code]), [event, 'forbidden']);
      }
      host.emit('device:user-sessions', { sessions: [] });
      await host.flush();
      assert.deepEqual(host.received('relay:error'), []);
    });

    it('validates the new events with the protocol schemas', async () => {
      const { host, op } = await attended();
      op.emitRaw('assistance:open', { activation: '', password: 'x'.repeat(65) });
      op.emitRaw('session:resume', { sessionId: '12', resumeToken: 'short' });
      host.emitRaw('device:user-sessions', { sessions: [{ id: '1', user: 'ada', state: 'asleep', kind: 'console' }] });
      for (const [client, event] of [
        [op, 'assistance:open'],
        [op, 'session:resume'],
        [host, 'device:user-sessions'],
      ] as const) {
        const err = await client.next('relay:error');
        assert.deepEqual([err.event, err.code], [event, 'bad-payload']);
      }
    });
  });
});
