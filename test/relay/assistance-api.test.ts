/**
 * The relay's HTTP API with real requests: the published signing key, and assistance requests
 * (authentication, validation, device state, what the answer and its signed file carry).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { ACTIVATION_JWS_TYPE, ActivationClaims, formatFingerprint } from '../../src/shared/activation-file.js';
import { ApiError, RELAY_KEYS_PATH, RelayKeys, type AssistanceResponse } from '../../src/shared/relay-api.js';
import { PASSWORD_ALPHABET } from '../../src/relay/assistances/password.js';
import { activationToken, ApiRefusal, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

const ASSISTANCES = '/api/v1/assistances';

/** The signed claims and header, verified with the key the relay publishes. */
async function verifiedFile(relay: TestRelay, assistance: AssistanceResponse) {
  const keys = RelayKeys.parse(await (await fetch(`${relay.url}${RELAY_KEYS_PATH}`)).json());
  const { payload, protectedHeader } = await compactVerify(
    activationToken(assistance),
    await importJWK(keys.keys[0]!.jwk, 'EdDSA'),
  );
  return { header: protectedHeader, claims: ActivationClaims.parse(JSON.parse(new TextDecoder().decode(payload))) };
}

describe('relay HTTP API', () => {
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay({
      relay: {
        publicUrl: 'https://relay.example.org',
        environment: 'acme',
        name: 'ACME relay',
        activationLifetimeMs: 10 * 60_000,
      },
    });
  });
  afterEach(() => relay.closeClients());
  after(() => relay.close());

  /** A raw request to the API; the status and the parsed ApiError (or body). */
  async function post(init: { body?: string; headers?: Record<string, string> }) {
    const response = await fetch(`${relay.url}${ASSISTANCES}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relay.operatorToken}`, 'content-type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
  }

  async function refused(request: Promise<unknown>): Promise<[number, string]> {
    const err = await request.then(
      () => assert.fail('the request was accepted'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiRefusal, String(err));
    return [err.status, err.code];
  }

  it('publishes the signing key with its id and fingerprint', async () => {
    const response = await fetch(`${relay.url}${RELAY_KEYS_PATH}`);
    assert.equal(response.status, 200);
    const keys = RelayKeys.parse(await response.json());
    assert.equal(keys.relay, 'https://relay.example.org');
    assert.equal(keys.keys.length, 1);
    const [key] = keys.keys;
    assert.equal(key!.kid, await calculateJwkThumbprint(key!.jwk, 'sha256'));
    assert.equal(key!.fingerprint, formatFingerprint(key!.kid));
    assert.equal(key!.fingerprint, relay.handle.keyFingerprint);
    assert.deepEqual(Object.keys(key!.jwk).sort(), ['crv', 'kty', 'x'], 'only the public half');
  });

  it('refuses requests without a valid operator token with 401', async () => {
    const body = JSON.stringify({ deviceId: 'x', mode: 'attended' });
    const wrong = relay.operatorToken.slice(0, -1) + (relay.operatorToken.endsWith('A') ? 'B' : 'A');
    for (const authorization of ['', 'Basic abc', 'Bearer', `Bearer ${wrong}`, `Bearer flxra_op_nope`]) {
      const { status, headers, body: error } = await post({ body, headers: { authorization } });
      assert.equal(status, 401, authorization);
      assert.equal(headers.get('www-authenticate'), 'Bearer');
      assert.equal(ApiError.parse(error).error.code, 'unauthorized');
    }
  });

  it('refuses bodies that are not a valid assistance request', async () => {
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['{"deviceId": ', {}, 400, 'bad-request'],
      [JSON.stringify({ deviceId: 'x', mode: 'sometimes' }), {}, 400, 'bad-request'],
      [JSON.stringify({ mode: 'attended' }), {}, 400, 'bad-request'],
      [JSON.stringify({ deviceId: 'x'.repeat(65), mode: 'attended' }), {}, 400, 'bad-request'],
      [
        JSON.stringify({ deviceId: 'x', mode: 'attended' }),
        { 'content-type': 'text/plain' },
        415,
        'unsupported-media-type',
      ],
      [JSON.stringify({ deviceId: 'x', mode: 'attended', padding: 'p'.repeat(17 * 1024) }), {}, 413, 'too-large'],
    ];
    for (const [body, headers, status, code] of cases) {
      const answer = await post({ body, headers });
      assert.deepEqual([answer.status, ApiError.parse(answer.body).error.code], [status, code], body.slice(0, 40));
    }
    const { body } = await post({ body: JSON.stringify({ deviceId: 'x', mode: 'sometimes' }) });
    assert.match(ApiError.parse(body).error.message, /^invalid assistance request: mode: /);
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    const unknown = await fetch(`${relay.url}/api/v1/nothing`);
    assert.deepEqual([unknown.status, ApiError.parse(await unknown.json()).error.code], [404, 'not-found']);
    const get = await fetch(`${relay.url}${ASSISTANCES}`);
    assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST']);
    const postKeys = await fetch(`${relay.url}${RELAY_KEYS_PATH}`, { method: 'POST' });
    assert.equal(postKeys.status, 405);
  });

  it('refuses an unknown device with 404 and an enrolled one that is not connected with 409', async () => {
    assert.deepEqual(await refused(relay.requestAssistance({ deviceId: '000000000000', mode: 'attended' })), [
      404,
      'unknown-device',
    ]);
    const device = await relay.addDevice('Offline PC');
    assert.deepEqual(await refused(relay.requestAssistance({ deviceId: device.id, mode: 'attended' })), [
      409,
      'device-offline',
    ]);
    // A host of the same name without the token is not that device.
    await relay.connectHost('Offline PC');
    assert.deepEqual(await refused(relay.requestAssistance({ deviceId: device.id, mode: 'attended' })), [
      409,
      'device-offline',
    ]);
    const host = await relay.connectHost('Offline PC', device.token);
    await relay.requestAssistance({ deviceId: device.id, mode: 'attended' });
    host.close();
    // The relay learns of the disconnect a moment later.
    for (let tries = 0; ; tries++) {
      const answer = await relay.requestAssistance({ deviceId: device.id, mode: 'unattended' }).then(
        () => null,
        (e: unknown) => e,
      );
      if (answer instanceof ApiRefusal) {
        assert.deepEqual([answer.status, answer.code], [409, 'device-offline']);
        break;
      }
      assert.ok(tries < 50, 'the device still counts as connected');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  it('refuses a device an operator is in a session with (409), and replaces an unused assistance', async () => {
    const host = await relay.connectDevice();
    const op = await relay.connectOperator();
    op.emit('session:join', { sessionId: host.sessionId });
    await host.next('session:join-request');
    assert.deepEqual(await refused(relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' })), [
      409,
      'device-busy',
    ]);
    op.emit('session:end', { sessionId: host.sessionId });
    await host.next('session:ended');

    const first = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    await host.next('assistance:prepared');
    const second = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    assert.equal((await host.next('assistance:prepared')).sessionId, second.sessionId);
    op.emit('assistance:open', { activation: activationToken(first) });
    assert.equal((await op.next('relay:error')).code, 'session-expired');
    op.emit('assistance:open', { activation: activationToken(second) });
    await op.next('session:waiting');
  });

  it('answers an attended request with a signed file and tells the device', async () => {
    const host = await relay.connectDevice('Reception PC');
    const before = relay.clock.now();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    const { sessionId } = assistance;
    assert.match(sessionId, /^[1-9]\d{8}$/);
    assert.notEqual(sessionId, host.sessionId, 'a new ID, not the host’s own');
    assert.equal(assistance.mode, 'attended');
    assert.equal(assistance.password, undefined);
    assert.equal(assistance.activation.fileName, `flxra-${sessionId}.flxra`);
    const { hostResumeToken, ...prepared } = await host.next('assistance:prepared');
    assert.deepEqual(prepared, { sessionId, mode: 'attended', operator: relay.operatorIdentity, audio: false });
    assert.match(hostResumeToken, /^[\w-]{43}$/);

    const { header, claims } = await verifiedFile(relay, assistance);
    const keys = RelayKeys.parse(await (await fetch(`${relay.url}${RELAY_KEYS_PATH}`)).json());
    assert.deepEqual(header, { alg: 'EdDSA', kid: keys.keys[0]!.kid, typ: ACTIVATION_JWS_TYPE });
    const iat = Math.floor(before / 1000);
    assert.deepEqual(
      { ...claims, nonce: undefined },
      {
        v: 1,
        relay: 'https://relay.example.org',
        sid: sessionId,
        mode: 'attended',
        requested: 'attended',
        env: 'acme',
        iss: 'ACME relay',
        sub: relay.operatorIdentity.id,
        iat,
        exp: Math.floor((before + 10 * 60_000) / 1000),
        nonce: undefined,
        // Named so that the app can say which device before connecting, and ask again for it.
        device: { id: host.deviceId, name: 'Reception PC' },
      },
    );
    assert.equal(Buffer.from(claims.nonce, 'base64url').length, 16, '128-bit nonce');
    assert.equal(assistance.expiresAt, new Date(claims.exp * 1000).toISOString());
  });

  it('gives unattended requests a readable one-time password, different every time', async () => {
    const host = await relay.connectDevice();
    const passwords = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
      assert.equal(assistance.mode, 'unattended');
      assert.match(assistance.password!, new RegExp(`^([${PASSWORD_ALPHABET}]{5}-){2}[${PASSWORD_ALPHABET}]{5}$`));
      passwords.add(assistance.password!);
      const { claims } = await verifiedFile(relay, assistance);
      assert.deepEqual([claims.mode, claims.requested], ['unattended', 'unattended']);
    }
    assert.equal(passwords.size, 3);
  });
});
