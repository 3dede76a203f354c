/**
 * Unattended is off by default for new installations: a fresh relay's policy allows attended
 * assistance only, refusing unattended and dynamic in words, until an administrator allows them;
 * a relay already in use that never saved a policy keeps what it had (the specification's
 * defaults, every type), saved by the migration that brought the new default. A new installation
 * allows the operator in the browser; the relay in use does not gain it (no cell: off by default).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PolicySettings } from '../../src/shared/console-api.js';
import { DEFAULT_POLICY, NEW_INSTALLATION_POLICY } from '../../src/shared/policy.js';
import { TOOL_CAPABILITIES } from '../../src/shared/capabilities.js';
import { applyMigration, MIGRATIONS } from '../../src/relay/store/sqlite-store.js';
import { ApiRefusal, startTestRelay, TestClock, type TestRelay } from '../../dev/rig/relay.js';
import { firstAdmin } from '../fixtures/console.js';
import { enrolScriptedAgent } from '../fixtures/scripted-agent.js';

describe('the policy a relay starts with', () => {
  let dataDir: string;
  let relay: TestRelay | undefined;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-policy-default-'));
  });
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('on a new installation: attended only; unattended is refused in words until an administrator allows it', async () => {
    relay = await startTestRelay({ dataDir, policy: 'new-installation' });
    const admin = await firstAdmin(relay);
    const policy = PolicySettings.parse((await admin.call('GET', '/policy')).body);
    assert.deepEqual(policy, { product: NEW_INSTALLATION_POLICY, groups: {} });
    assert.deepEqual(policy.product.allowedTypes, ['attended']);
    // The operator in the browser is on for both built-in roles: `npm start`, an agent and the console work end to end.
    assert.deepEqual(policy.product.capabilities['browser-operator'], { admin: true, operator: true });
    const agent = await enrolScriptedAgent(relay, { hostname: 'ws-01', reportGroup: 'Office' });

    await assert.rejects(relay.requestAssistance({ deviceId: agent.deviceId, mode: 'unattended' }), (err) => {
      assert.ok(err instanceof ApiRefusal);
      assert.equal(err.status, 403);
      assert.match(err.message, /Unattended assistance is not enabled for report group Office/);
      return true;
    });
    const allowed = { ...policy.product, allowedTypes: ['attended', 'unattended'] };
    assert.equal((await admin.call('PUT', '/policy', { product: allowed, groups: {} })).status, 200);
    const answered = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'unattended' });
    await agent.nextHost();
    assert.equal((await answered).mode, 'unattended');
  });

  it('on a relay in use that never saved a policy: it keeps every type after the upgrade', async () => {
    const clock = new TestClock();
    // A relay of the previous version (the migrations before the new default, whatever came
    // after), in use (an operator registered), its policy never saved.
    const index = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('INSERT INTO policy_settings'));
    const db = new Database(path.join(dataDir, 'relay.db'));
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const step of MIGRATIONS.slice(0, index)) applyMigration(db, step);
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(index);
    db.prepare('INSERT INTO operators (id, name, organisation, token_mac, created_at) VALUES (?, ?, ?, ?, ?)').run(
      '0123456789ab',
      'Ada Lovelace',
      'Help Desk',
      Buffer.alloc(32),
      new Date().toISOString(),
    );
    db.close();

    relay = await startTestRelay({ dataDir, clock, policy: 'new-installation' });
    const admin = await firstAdmin(relay);
    const tools = { admin: true, operator: false };
    assert.deepEqual(PolicySettings.parse((await admin.call('GET', '/policy')).body), {
      product: {
        ...DEFAULT_POLICY,
        capabilities: Object.fromEntries(TOOL_CAPABILITIES.map((tool) => [tool, tools])),
      },
      groups: {},
    });
  });
});
