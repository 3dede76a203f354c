/** Dynamic assistance: the relay picks attended or unattended from the user sessions the device reported. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { UserSession } from '../../src/shared/user-sessions.js';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { decodeJwt } from 'jose';

const console1: UserSession = { id: '1', user: 'ada', state: 'active', kind: 'console' };
const remote2: UserSession = { id: '2', user: 'grace', state: 'active', kind: 'remote' };
const away3: UserSession = { id: '3', user: 'alan', state: 'disconnected', kind: 'remote' };

describe('dynamic assistance', () => {
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay();
  });
  afterEach(() => relay.closeClients());
  after(() => relay.close());

  /** Requests a dynamic assistance on a device that reported `sessions` (or nothing, when null). */
  async function dynamic(sessions: UserSession[] | null, userSessionId?: string) {
    const host = await relay.connectDevice();
    if (sessions) {
      host.emit('device:user-sessions', { sessions });
      await host.flush();
    }
    const assistance = await relay.requestAssistance({
      deviceId: host.deviceId,
      mode: 'dynamic',
      ...(userSessionId ? { userSessionId } : {}),
    });
    const prepared = await host.next('assistance:prepared');
    const claims = decodeJwt(activationToken(assistance));
    assert.deepEqual([prepared.mode, claims.mode, claims.requested], [assistance.mode, assistance.mode, 'dynamic']);
    return assistance;
  }

  it('is attended when someone is active at the console', async () => {
    const assistance = await dynamic([remote2, console1]);
    assert.equal(assistance.mode, 'attended');
    assert.match(assistance.modeReason, /ada is signed in at the device's console/);
    assert.equal(assistance.password, undefined);
  });

  it('is unattended, with a password, when nobody is at the console or nothing was reported', async () => {
    for (const sessions of [[remote2, away3], [{ ...console1, state: 'disconnected' as const }], null]) {
      const assistance = await dynamic(sessions);
      assert.equal(assistance.mode, 'unattended', JSON.stringify(sessions));
      assert.match(assistance.modeReason, /nobody is active at the device's console/);
      assert.ok(assistance.password);
    }
  });

  it('follows the targeted user session at session level', async () => {
    assert.equal((await dynamic([console1, away3], '3')).mode, 'unattended');
    assert.equal((await dynamic([console1, remote2], '2')).mode, 'attended');
    const gone = await dynamic([console1], '9');
    assert.equal(gone.mode, 'unattended');
    assert.match(gone.modeReason, /user session 9 is not on the device any more/);
  });

  it('uses the latest report', async () => {
    const host = await relay.connectDevice();
    host.emit('device:user-sessions', { sessions: [console1] });
    host.emit('device:user-sessions', { sessions: [] });
    await host.flush();
    assert.equal((await relay.requestAssistance({ deviceId: host.deviceId, mode: 'dynamic' })).mode, 'unattended');
  });
});
