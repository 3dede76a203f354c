/**
 * Remote-assistance policy: set at product level (all report groups) and overridden per report
 * group. The relay enforces it on every request; the console shows what it allows and why not.
 * What each role may do during an assistance (the tools, and later clipboard, chat, files,
 * recording, the browser operator) is its capability matrix (capabilities.ts), decided by
 * capability-decision.ts.
 */
import { z } from 'zod';
import { CalVer, isAtLeast } from './calver.js';
import { CapabilityMatrix } from './capabilities.js';
import { FilesPolicy } from './file-transfer.js';
import { Name } from './names.js';
import { RequestedMode } from './protocol.js';

/**
 * A console user's access: administrators change the policy, the users and the roles. The
 * capabilities' roles are wider (capabilities.ts's RoleName): these two and those admins define.
 */
export const Role = z.enum(['admin', 'operator']);
export type Role = z.infer<typeof Role>;

export const Policy = z.object({
  remoteAssistance: z.boolean(),
  allowedTypes: z.array(RequestedMode),
  /** Capability × role: only the cells set at this level (unset: the default, capabilities.ts). */
  capabilities: CapabilityMatrix.default({}),
  /** Off by default: the operator must not hear the user's calls. */
  audioRedirection: z.boolean(),
  /** Minimum agent version: for remote assistance at all, and for dynamic assistance. */
  minAgentVersion: z.object({ remoteAssistance: CalVer, dynamic: CalVer }),
  /** File transfer's limits and unattended folder (file-transfer.ts); absent: FILES_DEFAULTS. */
  files: FilesPolicy.optional(),
});
export type Policy = z.infer<typeof Policy>;

/**
 * A report group's override: only what it sets differs from the product level; in its
 * capability matrix, each cell it sets (a cell it does not set inherits the product's).
 */
export const PolicyOverride = Policy.extend({ capabilities: CapabilityMatrix }).partial();
export type PolicyOverride = z.infer<typeof PolicyOverride>;

/** The product level and the report groups' overrides, as stored and as GET/PUT /console/api/policy carry them. */
export const PolicySettings = z.object({ product: Policy, groups: z.record(Name, PolicyOverride) });
export type PolicySettings = z.infer<typeof PolicySettings>;

/**
 * The specification's defaults: every type, versions 23.7 and 24.9.2, audio off. What relays
 * installed before unattended was off by default keep (a migration saved it for them,
 * store/sqlite-store.ts), and what the test rig's relays start with.
 */
export const DEFAULT_POLICY: Policy = {
  remoteAssistance: true,
  allowedTypes: ['attended', 'unattended', 'dynamic'],
  capabilities: {},
  audioRedirection: false,
  minAgentVersion: { remoteAssistance: '23.7', dynamic: '24.9.2' },
};

/**
 * What a new installation starts with: attended only. Nobody is let onto a device without the
 * user's consent until an administrator allows unattended (or dynamic, which is unattended when
 * nobody is signed in at the device). The operator in the browser is on at product level for
 * both built-in roles, so that a newcomer's relay (`npm start`, an agent, the console) works end
 * to end without the app; the capability's own default stays off, so a relay in use before
 * (its policy saved) gains no new way in without an administrator's yes.
 */
export const NEW_INSTALLATION_POLICY: Policy = {
  ...DEFAULT_POLICY,
  allowedTypes: ['attended'],
  capabilities: { 'browser-operator': { admin: true, operator: true } },
};

export function effectivePolicy(product: Policy, group?: PolicyOverride): Policy {
  const capabilities: CapabilityMatrix = { ...product.capabilities };
  for (const [capability, cells] of Object.entries(group?.capabilities ?? {}) as [keyof CapabilityMatrix, object][]) {
    capabilities[capability] = { ...product.capabilities[capability], ...cells };
  }
  return { ...product, ...(group ?? {}), capabilities };
}

export interface TypeAvailability {
  enabled: boolean;
  /** Why not, in words for the operator. */
  reason?: string;
}
export type Availability = Record<RequestedMode, TypeAvailability>;

/**
 * Which assistance types a device (or one of its user sessions, `level: 'session'`) may get,
 * and for each disabled one, why.
 */
export function assistanceAvailability(
  policy: Policy,
  device: { agentVersion: string; reportGroup: string; online: boolean },
  level: 'device' | 'session' = 'device',
): Availability {
  const dynamicOnly = policy.allowedTypes.length === 1 && policy.allowedTypes[0] === 'dynamic';
  const result = {} as Availability;
  for (const type of RequestedMode.options) {
    result[type] = availabilityOf(type);
  }
  return result;

  function availabilityOf(type: RequestedMode): TypeAvailability {
    if (!policy.remoteAssistance)
      return { enabled: false, reason: `Remote assistance is not enabled for report group ${device.reportGroup}.` };
    if (!isAtLeast(device.agentVersion, policy.minAgentVersion.remoteAssistance)) {
      return {
        enabled: false,
        reason: `Agent ${device.agentVersion} is too old: remote assistance needs ${policy.minAgentVersion.remoteAssistance} or later.`,
      };
    }
    if (type !== 'dynamic' && dynamicOnly) {
      return {
        enabled: false,
        reason: `Report group ${device.reportGroup} is set to dynamic assistance, so only dynamic is offered.`,
      };
    }
    if (!policy.allowedTypes.includes(type))
      return {
        enabled: false,
        reason: `${capitalise(type)} assistance is not enabled for report group ${device.reportGroup}.`,
      };
    if (type === 'dynamic' && !isAtLeast(device.agentVersion, policy.minAgentVersion.dynamic)) {
      return {
        enabled: false,
        reason: `Agent ${device.agentVersion} is too old: dynamic assistance needs ${policy.minAgentVersion.dynamic} or later.`,
      };
    }
    if (type === 'unattended' && level === 'session' && policy.allowedTypes.includes('dynamic')) {
      return {
        enabled: false,
        reason:
          'On devices configured for dynamic assistance, unattended assistance is started at device level, not on a session.',
      };
    }
    if (!device.online) return { enabled: false, reason: 'The device is offline: its agent is not connected.' };
    return { enabled: true };
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
