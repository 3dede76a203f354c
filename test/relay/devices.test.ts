/** Enrolled devices: their registry, and how their hosts connect. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { refusal, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

const TOKEN = /^flxra_dev_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

describe('enrolled devices', () => {
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay();
  });
  afterEach(() => relay.closeClients());
  after(() => relay.close());

  it('issue tokens of the documented form and verify only their own, and none after removal', async () => {
    const { device, token } = await relay.handle.devices.add({ name: '  Kiosk 7 ' });
    assert.equal(device.name, 'Kiosk 7');
    assert.equal(TOKEN.exec(token)?.[1], device.id);
    assert.deepEqual(await relay.handle.devices.verify(token), device);
    const other = await relay.handle.devices.add({ name: 'Kiosk 8' });
    const swapped = `flxra_dev_${device.id}_${TOKEN.exec(other.token)![2]}`;
    for (const wrong of [swapped, token.slice(0, -1), relay.operatorToken.replace('flxra_op_', 'flxra_dev_')]) {
      assert.equal(await relay.handle.devices.verify(wrong), null, wrong);
    }
    assert.ok(relay.handle.devices.list().some((d) => d.id === device.id && d.name === 'Kiosk 7'));
    assert.equal(relay.handle.devices.remove(device.id), true);
    assert.equal(relay.handle.devices.remove(device.id), false);
    assert.equal(await relay.handle.devices.verify(token), null);
    await assert.rejects(relay.handle.devices.add({ name: ' ' }));
  });

  it('refuses a host presenting a bad or revoked device token, without logging it', async () => {
    const { id, token } = await relay.addDevice('Kiosk 9');
    relay.handle.devices.remove(id);
    for (const deviceToken of [token, 'flxra_dev_leaky']) {
      assert.deepEqual(await refusal(relay.url, { role: 'host', deviceName: 'Kiosk 9', deviceToken }), {
        code: 'unauthorized',
        message: 'invalid or revoked device token',
      });
    }
    const logs = JSON.stringify(relay.logs);
    assert.ok(!logs.includes(TOKEN.exec(token)![2]!) && !logs.includes('flxra_dev_leaky'), 'a device token was logged');
  });

  it('gives an enrolled host its own session, joined by ID as before, under its registry name', async () => {
    const host = await relay.connectDevice('Front desk');
    const { token } = await relay.addDevice('Registered name');
    const renamed = await relay.connectHost('Claimed name', token);
    const op = await relay.connectOperator();
    op.emit('session:join', { sessionId: host.sessionId });
    assert.equal((await host.next('session:join-request')).deviceName, 'Front desk');
    op.emit('session:join', { sessionId: renamed.sessionId });
    assert.equal((await renamed.next('session:join-request')).deviceName, 'Registered name');
  });
});
