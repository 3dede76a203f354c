/**
 * The migration to the capability matrix (store/sqlite-roles.ts): a relay in use keeps what its
 * adminToolsRoles allowed, at product level and per report group, as the matrix's tool cells;
 * the operator identities of its admin console users become admins for the matrix, others stay
 * operators; the new tables for roles start empty.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { TOOL_CAPABILITIES } from '../../src/shared/capabilities.js';
import { capabilityDecision } from '../../src/shared/capability-decision.js';
import { PolicySettings } from '../../src/shared/policy.js';
import { MIGRATIONS, openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import { migrateToCapabilities } from '../../src/relay/store/sqlite-roles.js';

const OLD_SETTINGS = {
  product: {
    remoteAssistance: true,
    allowedTypes: ['attended'],
    adminToolsRoles: ['admin', 'operator'],
    audioRedirection: false,
    minAgentVersion: { remoteAssistance: '23.7', dynamic: '24.9.2' },
  },
  groups: { Lab: { adminToolsRoles: ['admin'] }, Office: { audioRedirection: true } },
};

test('an existing relay keeps what its adminToolsRoles allowed, product level and per group', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-roles-migration-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const fresh = openSqliteStore(dir);
  const hash = { salt: Buffer.alloc(16), hash: Buffer.alloc(32), scrypt: { N: 16384, r: 8, p: 1 } };
  for (const [username, role, operatorId] of [
    ['root', 'admin', 'op-admin'],
    ['desk', 'operator', 'op-desk'],
  ] as const) {
    fresh.insertConsoleUser({
      username,
      name: username,
      role,
      operatorId,
      ...hash,
      mustChangePassword: false,
      createdAt: new Date().toISOString(),
    });
  }
  fresh.close();
  // Back to the schema before the matrix, with a policy saved by that relay.
  const index = MIGRATIONS.indexOf(migrateToCapabilities);
  assert.ok(index > 0);
  const db = new Database(path.join(dir, 'relay.db'));
  db.exec('DROP TABLE roles; DROP TABLE role_assignments');
  db.prepare("INSERT OR REPLACE INTO policy_settings (id, settings, updated_at) VALUES (1, ?, 'then')").run(
    JSON.stringify(OLD_SETTINGS),
  );
  db.prepare('UPDATE schema_version SET version = ?').run(index);
  db.close();

  const store = openSqliteStore(dir);
  t.after(() => store.close());
  const settings = PolicySettings.parse(JSON.parse(store.getPolicySettings()!));
  assert.equal('adminToolsRoles' in settings.product, false);
  for (const capability of TOOL_CAPABILITIES) {
    const allowed = (group: string, role: string) =>
      capabilityDecision(settings, { group, role, capability, mode: 'attended' }).allowed;
    assert.equal(allowed('Office', 'operator'), true, `${capability}: the product level allowed operators`);
    assert.equal(allowed('Office', 'admin'), true, capability);
    assert.equal(allowed('Lab', 'operator'), false, `${capability}: Lab allowed admins only`);
    assert.equal(allowed('Lab', 'admin'), true, capability);
    assert.deepEqual(settings.groups.Lab!.capabilities![capability], { admin: true, operator: false });
  }
  assert.deepEqual(settings.groups.Office, { audioRedirection: true });
  assert.equal(settings.product.allowedTypes.join(), 'attended');
  assert.equal(store.roles.assignment('operator', 'op-admin'), 'admin');
  assert.equal(store.roles.assignment('operator', 'op-desk'), null);
  assert.deepEqual(store.roles.list(), []);
});
