/**
 * The capability decision (src/shared/capability-decision.ts) over product, group and role
 * combinations: the documented defaults, a group's cell winning where it sets one, inherit
 * meaning the product's (then the default), tools during unattended assistance, and the refusals'
 * codes and words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Capability, defaultCapability, type CapabilityMatrix } from '../../src/shared/capabilities.js';
import { capabilityDecision, effectiveCapability } from '../../src/shared/capability-decision.js';
import { DEFAULT_POLICY, effectivePolicy, PolicySettings } from '../../src/shared/policy.js';

const settings = (product: CapabilityMatrix = {}, groups: Record<string, CapabilityMatrix> = {}): PolicySettings => ({
  product: { ...DEFAULT_POLICY, capabilities: product },
  groups: Object.fromEntries(Object.entries(groups).map(([g, capabilities]) => [g, { capabilities }])),
});

const role = fc.constantFrom('admin', 'operator', 'helpdesk', 'auditor');
const cells = fc.dictionary(role, fc.boolean(), { maxKeys: 4 });
const matrix: fc.Arbitrary<CapabilityMatrix> = fc.dictionary(fc.constantFrom(...Capability.options), cells, {
  maxKeys: 6,
});

describe('capability decision', () => {
  it('defaults: tools for admins only, never unattended, clipboard and chat for operators, files on, recording and the browser operator off', () => {
    const s = settings();
    const allowed = (r: string, capability: Capability, mode: 'attended' | 'unattended' = 'attended') =>
      capabilityDecision(s, { group: 'Lab', role: r, capability, mode }).allowed;
    for (const tool of ['tool.cmd', 'tool.powershell', 'tool.registry', 'tool.processes', 'tool.user-shell'] as const) {
      assert.equal(allowed('admin', tool), true, tool);
      assert.equal(allowed('operator', tool), false, tool);
      assert.equal(allowed('admin', tool, 'unattended'), false, `${tool} unattended`);
    }
    for (const c of [
      'clipboard.to-device',
      'clipboard.from-device',
      'chat',
      'files.to-device',
      'files.from-device',
    ] as const)
      assert.equal(allowed('operator', c), true, c);
    // The clipboard and files during unattended assistance only where the policy set a cell.
    for (const c of ['clipboard.to-device', 'files.to-device', 'files.from-device'] as const)
      assert.equal(allowed('operator', c, 'unattended'), false, `${c} unattended`);
    for (const c of ['recording', 'browser-operator'] as const) {
      assert.equal(allowed('operator', c), false, c);
      assert.equal(allowed('admin', c), false, c);
    }
    assert.deepEqual(effectiveCapability(s, 'Lab', 'operator', 'tool.cmd'), { allowed: false, source: 'default' });
  });

  it('a group cell wins where it is set; inherit means the product, then the default (property)', () => {
    fc.assert(
      fc.property(matrix, matrix, role, fc.constantFrom(...Capability.options), (product, group, r, capability) => {
        const s = settings(product, { Lab: group });
        const got = effectiveCapability(s, 'Lab', r, capability);
        const groupCell = group[capability]?.[r];
        const productCell = product[capability]?.[r];
        if (groupCell !== undefined) assert.deepEqual(got, { allowed: groupCell, source: 'group' });
        else if (productCell !== undefined) assert.deepEqual(got, { allowed: productCell, source: 'product' });
        else assert.deepEqual(got, { allowed: defaultCapability(capability, r), source: 'default' });
        // Devices of another group see the product level only.
        const other = effectiveCapability(s, 'Office', r, capability);
        assert.equal(other.source === 'group', false);
        // The merged policy (effectivePolicy) agrees cell by cell.
        const merged = effectivePolicy(s.product, s.groups.Lab).capabilities[capability]?.[r];
        assert.equal(merged ?? defaultCapability(capability, r), got.allowed);
      }),
    );
  });

  it('refuses with a code and the reason in words, and names where the value comes from', () => {
    const s = settings({ 'tool.cmd': { helpdesk: true } }, { Lab: { 'tool.cmd': { helpdesk: false } } });
    const refused = capabilityDecision(s, { group: 'Lab', role: 'helpdesk', capability: 'tool.cmd', mode: 'attended' });
    assert.deepEqual(refused, {
      allowed: false,
      code: 'capability-off',
      reason: 'CMD is not allowed for the helpdesk role on devices of report group Lab (set for the report group).',
      effective: { allowed: false, source: 'group' },
    });
    const office = capabilityDecision(s, {
      group: 'Office',
      role: 'helpdesk',
      capability: 'tool.cmd',
      mode: 'attended',
    });
    assert.deepEqual(office, { allowed: true, effective: { allowed: true, source: 'product' } });
  });

  it('a tool during unattended assistance needs tool.unattended for the role; other capabilities do not', () => {
    const s = settings({ 'tool.unattended': { admin: true } });
    const decide = (r: string, capability: Capability) =>
      capabilityDecision(s, { group: 'Lab', role: r, capability, mode: 'unattended' });
    assert.equal(decide('admin', 'tool.registry').allowed, true);
    const refused = decide('operator', 'chat');
    assert.equal(refused.allowed, true);
    const s2 = settings({ 'tool.processes': { operator: true } });
    const unattended = capabilityDecision(s2, {
      group: 'Lab',
      role: 'operator',
      capability: 'tool.processes',
      mode: 'unattended',
    });
    assert.equal(unattended.allowed, false);
    assert.equal(!unattended.allowed && unattended.code, 'unattended-not-allowed');
    assert.match(
      !unattended.allowed ? unattended.reason : '',
      /Task manager is not allowed during unattended assistance/,
    );
  });

  it('nothing is allowed where remote assistance is off for the group', () => {
    const s: PolicySettings = { ...settings(), groups: { Lab: { remoteAssistance: false } } };
    const decision = capabilityDecision(s, { group: 'Lab', role: 'admin', capability: 'chat', mode: 'attended' });
    assert.equal(!decision.allowed && decision.code, 'remote-assistance-off');
    assert.equal(
      capabilityDecision(s, { group: 'Office', role: 'admin', capability: 'chat', mode: 'attended' }).allowed,
      true,
    );
  });

  it('the stored settings schema keeps a group’s cells as set and fills the product’s matrix when absent', () => {
    const { capabilities: _omitted, ...withoutMatrix } = DEFAULT_POLICY;
    const parsed = PolicySettings.parse({ product: withoutMatrix, groups: { Lab: { audioRedirection: true } } });
    assert.deepEqual(parsed.product.capabilities, {});
    assert.deepEqual(parsed.groups.Lab, { audioRedirection: true });
    const bad = PolicySettings.safeParse({
      product: DEFAULT_POLICY,
      groups: { Lab: { capabilities: { 'tool.cmd': { Admin: true } } } },
    });
    assert.equal(bad.success, false);
  });
});
