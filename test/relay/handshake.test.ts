/** The handshake: who may connect, and what each side is told on arrival. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SessionId } from '../../src/shared/protocol.js';
import { connectClient, refusal, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

/** The message of a refusal that must have the unauthorized code. */
async function unauthorized(url: string, auth: Record<string, unknown>): Promise<string> {
  const refused = await refusal(url, auth);
  assert.equal(refused.code, 'unauthorized', refused.message);
  return refused.message;
}

describe('relay handshake', () => {
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay();
  });
  after(() => relay.close());

  it('refuses a client without auth', async () => {
    assert.match(await unauthorized(relay.url, {}), /^bad handshake auth/);
  });

  it('refuses an unknown role and a host without a device name', async () => {
    assert.match(await unauthorized(relay.url, { role: 'admin', token: relay.operatorToken }), /^bad handshake auth/);
    assert.match(await unauthorized(relay.url, { role: 'host' }), /^bad handshake auth \(deviceName: /);
  });

  it('refuses an operator without a token', async () => {
    assert.match(await unauthorized(relay.url, { role: 'operator' }), /^bad handshake auth \(token: /);
  });

  it('refuses malformed and wrong tokens with the same reason', async () => {
    const [, id] = /^flxra_op_([0-9a-f]{12})_/.exec(relay.operatorToken)!;
    const wrongSecret = `flxra_op_${id}_${'A'.repeat(43)}`;
    const unknownId = relay.operatorToken.replace(id!, '000000000000');
    for (const token of ['nope', wrongSecret, unknownId, relay.operatorToken + 'x']) {
      assert.deepEqual(await refusal(relay.url, { role: 'operator', token }), {
        code: 'unauthorized',
        message: 'invalid or revoked operator token',
      });
    }
  });

  it('refuses an operator removed from the registry', async () => {
    const { identity, token } = await relay.addOperator('Grace Hopper');
    (await relay.connectOperator(token)).close();
    assert.equal(relay.handle.operators.remove(identity.id), true);
    assert.deepEqual(await refusal(relay.url, { role: 'operator', token }), {
      code: 'unauthorized',
      message: 'invalid or revoked operator token',
    });
  });

  it('gives each host its own nine-digit session ID', async () => {
    const hosts = await Promise.all([relay.connectHost(), relay.connectHost(), relay.connectHost()]);
    for (const host of hosts) assert.ok(SessionId.safeParse(host.sessionId).success, host.sessionId);
    assert.equal(new Set(hosts.map((h) => h.sessionId)).size, hosts.length);
    for (const host of hosts) host.close();
  });

  it('tells an operator who it is, from the registry, ignoring what it claims', async () => {
    const client = await connectClient(relay.url, {
      role: 'operator',
      token: relay.operatorToken,
      id: 'mallory',
      name: 'Mallory',
      organisation: 'Evil Corp',
      operator: { id: 'mallory', name: 'Mallory', organisation: 'Evil Corp' },
    });
    try {
      const { operator } = await client.next('operator:ready');
      assert.deepEqual(operator, relay.operatorIdentity);
    } finally {
      client.close();
    }
  });

  it('never logs a token', async () => {
    await refusal(relay.url, { role: 'operator', token: 'flxra_op_leaky' });
    const lines = JSON.stringify(relay.logs);
    assert.ok(relay.logs.some((l) => l.msg === 'handshake refused'));
    assert.ok(!lines.includes(relay.operatorToken.slice(9)), 'a real token was logged');
    assert.ok(!lines.includes('flxra_op_leaky'), 'a presented token was logged');
  });
});
