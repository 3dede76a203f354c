/** Session IDs: the format people read out, and uniqueness among live sessions and remembered assistances. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SessionId } from '../../src/shared/protocol.js';
import { ActivationKeys } from '../../src/relay/activation/keys.js';
import type { AgentHosts } from '../../src/relay/assistances/agent-hosts.js';
import { AssistanceLifecycles } from '../../src/relay/assistances/lifecycles.js';
import { Assistances } from '../../src/relay/assistances/service.js';
import { AuditTrail } from '../../src/relay/audit/audit-trail.js';
import { PolicyGate } from '../../src/relay/policy/gate.js';
import { PolicySettingsStore } from '../../src/relay/policy/policy-settings.js';
import { MachineTokens } from '../../src/relay/credentials/machine-tokens.js';
import { openTokenMac } from '../../src/relay/credentials/pepper.js';
import { DeviceRegistry } from '../../src/relay/devices.js';
import { UNOBSERVED } from '../../src/relay/session-model.js';
import { SessionTable, randomSessionId } from '../../src/relay/sessions.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import { captureLogger, TestClock, TEST_SCRYPT } from '../../dev/rig/relay.js';

describe('session IDs', () => {
  it('are nine digits without a leading zero', () => {
    for (let i = 0; i < 1_000; i++) {
      const id = randomSessionId();
      assert.ok(SessionId.safeParse(id).success, id);
      assert.notEqual(id[0], '0', id);
    }
  });

  it('are drawn again while they collide with a live session, and free again once it is gone', () => {
    const draws = ['111111111', '111111111', '111111111', '222222222', '111111111'];
    const table = new SessionTable(() => draws.shift()!);
    assert.equal(table.openHost('host-a', 'A'), '111111111');
    assert.equal(table.openHost('host-b', 'B'), '222222222');
    assert.deepEqual(table.disconnect({ conn: 'host-a', role: 'host' }), []);
    assert.equal(table.openHost('host-c', 'C'), '111111111');
    assert.equal(table.size, 2);
  });
});

/** A relay without agents: every device's host connects by itself. */
const NO_AGENTS: AgentHosts = {
  device: () => null,
  startHost: () => Promise.reject(new Error('no agent manages this device')),
  arrived: () => undefined,
  ended: () => undefined,
  carriedOver: () => undefined,
};

describe('assistance session IDs', () => {
  it('avoid live sessions and the assistances the store still remembers', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-ids-test-'));
    const store = openSqliteStore(dataDir);
    try {
      const devices = new DeviceRegistry(store, new MachineTokens(openTokenMac({ dataDir, store })));
      const { device } = await devices.add({ name: 'Kiosk' });
      const draws = ['111111111', '111111111', '222222222', '222222222', '333333333'];
      const clock = new TestClock();
      const { logger } = captureLogger();
      const assistances = new Assistances({
        store,
        devices,
        // The real policy and audit trail; no agent manages this device (its host connects by itself).
        policy: new PolicyGate(new PolicySettingsStore(store), () => null),
        audit: new AuditTrail(store.audit, clock, logger),
        agentHosts: NO_AGENTS,
        sessionObserver: UNOBSERVED,
        lifecycles: new AssistanceLifecycles({ store, logger }),
        key: new ActivationKeys(store, clock, { activationLifetimeMs: 60_000 }),
        clock,
        logger,
        newSessionId: () => draws.shift()!,
        settings: {
          publicUrl: 'http://relay.test',
          environment: 'default',
          relayName: 'test',
          activationLifetimeMs: 60_000,
          graceMs: 60_000,
          hostGraceMs: 60_000,
          unconnectedLifetimeMs: 60_000,
          scrypt: TEST_SCRYPT,
        },
      });
      const operator = { id: 'op', name: 'Ada', organisation: 'Help Desk' };
      assert.equal(assistances.sessions.openHost('kiosk', 'Kiosk'), '111111111');
      assistances.deviceConnected('kiosk', device);
      const created = await assistances.create(operator, { deviceId: device.id, mode: 'attended' });
      assert.equal(
        created.ok && created.response.sessionId,
        '222222222',
        'redrawn: 111111111 is the host’s live session',
      );
      // Its device is closed: 222222222 is no live session any more, but the store remembers it.
      assistances.sessions.disconnect({ conn: 'kiosk', role: 'host' }, true);
      assert.equal(assistances.sessions.size, 0);
      assert.equal(assistances.sessions.openHost('other', 'Other'), '333333333');
    } finally {
      store.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
