/**
 * PolicyWatch (src/relay/policy/policy-watch.ts) on its own: what a save switches off is told to
 * every listener, per report group of the enrolled devices (also those without an override) and
 * per role, with the reason a new request would get; what it switches on, or leaves as it was,
 * is told to nobody.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_POLICY, type PolicySettings } from '../../src/shared/policy.js';
import { PolicyWatch, type Revocation } from '../../src/relay/policy/policy-watch.js';

const devices = { list: () => [{ reportGroup: 'Office' }, { reportGroup: 'Lab' }] };
const roles = { names: () => ['admin', 'operator', 'helpdesk'] };
const at = (capabilities: PolicySettings['product']['capabilities'], groups: PolicySettings['groups'] = {}) => ({
  product: { ...DEFAULT_POLICY, capabilities },
  groups,
});

test('tells listeners what a save revoked, per group and role, with the reason', () => {
  const watch = new PolicyWatch(devices, roles);
  const heard: Revocation[][] = [];
  watch.onRevoked((r) => heard.push([...r]));

  const before = at({ 'tool.unattended': { admin: true } });
  const after = at({}, { Lab: { capabilities: { 'tool.registry': { admin: false } } } });
  const found = watch.saved(before, after);
  const keys = found.map((r) => `${r.group}/${r.role}/${r.capability}`).sort();
  assert.deepEqual(keys, ['Lab/admin/tool.registry', 'Lab/admin/tool.unattended', 'Office/admin/tool.unattended']);
  assert.deepEqual(heard, [found]);
  assert.match(
    found.find((r) => r.capability === 'tool.registry')!.reason,
    /Registry editor is not allowed for the admin role/,
  );

  assert.deepEqual(watch.saved(after, before), [], 'switching on revokes nothing');
  assert.equal(heard.length, 1, 'nothing revoked: no call');
});

test('remote assistance switched off for a group revokes everything its roles had there', () => {
  const watch = new PolicyWatch(devices, roles);
  const found = watch.saved(at({}), { ...at({}), groups: { Lab: { remoteAssistance: false } } });
  assert.ok(
    found.every((r) => r.group === 'Lab' && /Remote assistance is not enabled for report group Lab/.test(r.reason)),
  );
  assert.ok(found.some((r) => r.role === 'operator' && r.capability === 'chat'));
  assert.ok(found.some((r) => r.role === 'admin' && r.capability === 'tool.cmd'));
  assert.equal(
    found.some((r) => r.capability === 'recording'),
    false,
    'recording was off already',
  );
});
