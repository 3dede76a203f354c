/**
 * Roles through the console API of a real relay: an admin defines a role, assigns it to an
 * operator identity and to a console user (audited as role.created and role.assigned), refusals
 * come back as data naming the field, a device's effective values say where each comes from as
 * the policy changes, the policy watch tells listeners what a save switched off, and
 * `relay operator add --role` gives a new identity a defined role.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { EffectiveDevicePolicy, RolesResponse } from '../../src/shared/console-roles.js';
import { DEFAULT_POLICY, type PolicySettings } from '../../src/shared/policy.js';
import { ApiError } from '../../src/shared/relay-api.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('roles and the effective policy', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  let agent: ScriptedAgent;
  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    agent = await enrolScriptedAgent(relay, { hostname: 'lab-1', reportGroup: 'Lab' });
  });
  after(() => relay.close());

  const cell = (p: EffectiveDevicePolicy, capability: string, role: string) =>
    p.cells.find((c) => c.capability === capability && c.role === role);
  const devicePolicy = async () =>
    EffectiveDevicePolicy.parse((await admin.call('GET', `/devices/${agent.deviceId}/policy`)).body);

  it('creates a role, assigns it to an operator identity and a console user, audited; refusals name the field', async () => {
    const created = await admin.call('POST', '/roles', { name: 'helpdesk', description: 'First-line support' });
    assert.equal(created.status, 201, created.text);
    const again = await admin.call('POST', '/roles', { name: 'helpdesk', description: 'twice' });
    assert.equal(again.status, 409);
    assert.deepEqual(ApiError.parse(again.body).error.fields?.[0]?.path, ['name']);
    const badName = await admin.call('POST', '/roles', { name: 'Help Desk', description: '' });
    assert.equal(badName.status, 400);
    assert.deepEqual(ApiError.parse(badName.body).error.fields?.[0]?.path, ['name']);

    const operatorId = relay.operatorIdentity.id;
    const toOperator = await admin.call('PUT', '/roles/assignments', {
      kind: 'operator',
      id: operatorId,
      role: 'helpdesk',
    });
    assert.equal(toOperator.status, 200, toOperator.text);
    assert.equal(relay.handle.roles.ofOperator(operatorId), 'helpdesk');
    const newUser = await admin.call('POST', '/users', {
      username: 'desk',
      name: 'Dee Desk',
      role: 'operator',
      password: ADMIN_PASSWORD,
      operatorId,
    });
    assert.equal(newUser.status, 201, newUser.text);
    const toUser = await admin.call('PUT', '/roles/assignments', {
      kind: 'console-user',
      id: 'Desk',
      role: 'helpdesk',
    });
    assert.equal(toUser.status, 200, toUser.text);
    const unknownRole = await admin.call('PUT', '/roles/assignments', {
      kind: 'operator',
      id: operatorId,
      role: 'nope',
    });
    assert.equal(unknownRole.status, 404);
    assert.deepEqual(ApiError.parse(unknownRole.body).error.fields?.[0]?.path, ['role']);
    const unknownOperator = await admin.call('PUT', '/roles/assignments', {
      kind: 'operator',
      id: 'op-x',
      role: 'admin',
    });
    assert.equal(ApiError.parse(unknownOperator.body).error.code, 'no-such-operator');

    const listed = RolesResponse.parse((await admin.call('GET', '/roles')).body);
    assert.deepEqual(
      listed.roles.map((r) => [r.name, r.builtIn]),
      [
        ['admin', true],
        ['operator', true],
        ['helpdesk', false],
      ],
    );
    const roleOf = (kind: string, id: string) => listed.assignments.find((a) => a.kind === kind && a.id === id)?.role;
    assert.equal(roleOf('console-user', 'desk'), 'helpdesk');
    assert.equal(roleOf('console-user', 'root-admin'), 'admin');
    assert.equal(roleOf('operator', operatorId), 'helpdesk');
    assert.equal(roleOf('operator', admin.user!.operatorId), 'admin', "the first admin's identity is an admin");

    const audit = relay.handle.audit;
    assert.equal(audit.query({ action: 'role.created' }).filter((e) => e.result === 'ok').length, 1);
    assert.equal(audit.query({ action: 'role.created' }).filter((e) => e.result === 'denied').length, 1);
    const assigned = audit.query({ action: 'role.assigned' }).filter((e) => e.result === 'ok');
    assert.deepEqual(assigned.map((e) => [e.detail.kind, e.detail.id, e.detail.from, e.detail.to]).reverse(), [
      ['operator', operatorId, 'operator', 'helpdesk'],
      ['console-user', 'desk', 'operator', 'helpdesk'],
    ]);
    // Who has which role is for administrators: the list names every user and identity.
    const desk = new ConsoleClient(relay);
    assert.equal((await desk.login('desk', ADMIN_PASSWORD)).status, 200);
    assert.equal((await desk.call('GET', '/roles')).status, 403);
    const held = await admin.call('DELETE', '/roles/helpdesk');
    assert.equal(ApiError.parse(held.body).error.code, 'role-assigned');
  });

  it("shows a device's effective values with their source, as the product level and the group change", async () => {
    let p = await devicePolicy();
    assert.equal(p.reportGroup, 'Lab');
    assert.deepEqual(p.roles, ['admin', 'operator', 'helpdesk']);
    assert.deepEqual(cell(p, 'tool.cmd', 'helpdesk'), {
      capability: 'tool.cmd',
      role: 'helpdesk',
      allowed: false,
      source: 'default',
    });
    assert.equal(cell(p, 'tool.cmd', 'admin')?.allowed, true);

    const put = (settings: PolicySettings) => admin.call('PUT', '/policy', settings);
    const product = { ...DEFAULT_POLICY, capabilities: { 'tool.cmd': { helpdesk: true } } };
    assert.equal((await put({ product, groups: {} })).status, 200);
    p = await devicePolicy();
    assert.deepEqual(cell(p, 'tool.cmd', 'helpdesk'), {
      capability: 'tool.cmd',
      role: 'helpdesk',
      allowed: true,
      source: 'product',
    });

    assert.equal(
      (await put({ product, groups: { Lab: { capabilities: { 'tool.cmd': { helpdesk: false } } } } })).status,
      200,
    );
    p = await devicePolicy();
    assert.deepEqual(cell(p, 'tool.cmd', 'helpdesk'), {
      capability: 'tool.cmd',
      role: 'helpdesk',
      allowed: false,
      source: 'group',
    });
  });

  it('relay operator add --role gives the new identity a defined role, and refuses an unknown one', () => {
    const run = (role: string) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/relay/cli.ts',
          'operator',
          'add',
          '--name',
          'Cli Op',
          '--org',
          'Desk',
          '--role',
          role,
          '--data',
          relay.dataDir,
        ],
        { cwd: repo, encoding: 'utf8', timeout: 20_000 },
      );
    const ok = run('helpdesk');
    assert.equal(ok.status, 0, ok.stderr);
    const id = /id:\s+(\S+)/.exec(ok.stdout)![1]!;
    assert.match(ok.stdout, /role:\s+helpdesk/);
    assert.equal(relay.handle.roles.ofOperator(id), 'helpdesk');
    const refused = run('nobody');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /invalid --role: there is no role nobody/);
  });
});
