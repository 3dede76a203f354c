/**
 * The one decision of whether a role may use a capability on a device of a report group, pure,
 * for the relay (its tool router asks before it forwards a tool request, and again when a policy
 * is saved) and for the console (the matrix's effective values and where each comes from). A
 * refusal is data: a code, and the reason in words for the operator.
 */
import { CAPABILITY_LABELS, defaultCapability, TOOL_CAPABILITIES, type Capability } from './capabilities.js';
import type { PolicySettings } from './policy.js';

/** Where an effective value comes from: the report group's override, the product level, or the default. */
export type CapabilitySource = 'group' | 'product' | 'default';

export interface EffectiveCapability {
  allowed: boolean;
  source: CapabilitySource;
}

export interface CapabilityQuery {
  /** The device's report group. */
  group: string;
  role: string;
  capability: Capability;
  /** Whether someone at the device consented (attended) or not (unattended, and dynamic with nobody signed in). */
  mode: 'attended' | 'unattended';
}

export type CapabilityRefusalCode = 'remote-assistance-off' | 'capability-off' | 'unattended-not-allowed';

export type CapabilityDecision =
  | { allowed: true; effective: EffectiveCapability }
  | { allowed: false; code: CapabilityRefusalCode; reason: string; effective: EffectiveCapability };

/** One cell for a device of `group`: the group's cell where it sets one, else the product's, else the default. */
export function effectiveCapability(
  settings: PolicySettings,
  group: string,
  role: string,
  capability: Capability,
): EffectiveCapability {
  const override = Object.hasOwn(settings.groups, group) ? settings.groups[group] : undefined;
  const groupCell = cell(override?.capabilities?.[capability], role);
  if (groupCell !== undefined) return { allowed: groupCell, source: 'group' };
  const productCell = cell(settings.product.capabilities[capability], role);
  if (productCell !== undefined) return { allowed: productCell, source: 'product' };
  return { allowed: defaultCapability(capability, role), source: 'default' };
}

function cell(cells: Record<string, boolean> | undefined, role: string): boolean | undefined {
  return cells !== undefined && Object.hasOwn(cells, role) ? cells[role] : undefined;
}

/**
 * Whether `role` may use `capability` now. A tool during an unattended assistance also needs
 * tool.unattended for the role; nothing is allowed where remote assistance is off.
 */
export function capabilityDecision(settings: PolicySettings, query: CapabilityQuery): CapabilityDecision {
  const { group, role, capability, mode } = query;
  const effective = effectiveCapability(settings, group, role, capability);
  const label = CAPABILITY_LABELS[capability];
  const override = Object.hasOwn(settings.groups, group) ? settings.groups[group] : undefined;
  if (!(override?.remoteAssistance ?? settings.product.remoteAssistance)) {
    return {
      allowed: false,
      code: 'remote-assistance-off',
      reason: `Remote assistance is not enabled for report group ${group}.`,
      effective,
    };
  }
  if (!effective.allowed) {
    return {
      allowed: false,
      code: 'capability-off',
      reason: `${label} is not allowed for the ${role} role on devices of report group ${group} (${sourceWords(effective.source)}).`,
      effective,
    };
  }
  const isTool = (TOOL_CAPABILITIES as readonly string[]).includes(capability) || capability === 'tool.user-shell';
  if (isTool && mode === 'unattended' && !effectiveCapability(settings, group, role, 'tool.unattended').allowed) {
    return {
      allowed: false,
      code: 'unattended-not-allowed',
      reason: `${label} is not allowed during unattended assistance for the ${role} role in report group ${group}: nobody at the device would see it.`,
      effective,
    };
  }
  // The clipboard and files are on by default for attended assistance only: during unattended, only where the policy
  // set them (files to the device then also need the policy's folder: host-files.ts).
  const isClipboard =
    capability === 'clipboard.to-device' ||
    capability === 'clipboard.from-device' ||
    capability === 'files.to-device' ||
    capability === 'files.from-device';
  if (isClipboard && mode === 'unattended' && effective.source === 'default') {
    return {
      allowed: false,
      code: 'unattended-not-allowed',
      reason: `${label} is off during unattended assistance unless the policy allows it for the ${role} role in report group ${group}.`,
      effective,
    };
  }
  return { allowed: true, effective };
}

/** Where a value comes from, in the console's and the refusals' words. */
export function sourceWords(source: CapabilitySource): string {
  switch (source) {
    case 'group':
      return 'set for the report group';
    case 'product':
      return 'set at product level';
    case 'default':
      return 'the default';
  }
}
