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
import { applyMigration, MIGRATIONS, openSqliteStore } from '../../src/relay/store/sqlite-store.js';
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
  // A relay of the version before the matrix (the migrations before it, whatever came after),
  // with two console users and a policy that relay saved.
  const index = MIGRATIONS.indexOf(migrateToCapabilities);
  assert.ok(index > 0);
  const db = new Database(path.join(dir, 'relay.db'));
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
  for (const step of MIGRATIONS.slice(0, index)) applyMigration(db, step);
  db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(index);
  const addUser = db.prepare(
    `INSERT INTO console_users (username, name, role, operator_id, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     VALUES (?, ?, ?, ?, zeroblob(16), zeroblob(32), 16384, 8, 1, 'then')`,
  );
  addUser.run('root', 'Root', 'admin', 'op-admin');
  addUser.run('desk', 'Desk', 'operator', 'op-desk');
  db.prepare("INSERT INTO policy_settings (id, settings, updated_at) VALUES (1, ?, 'then')").run(
    JSON.stringify(OLD_SETTINGS),
  );
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
