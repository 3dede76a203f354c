/**
 * The relay's policy check for an assistance: the same rules, and the same words, as the
 * console's availability (assistanceAvailability), so that a request that bypasses the console
 * is refused with the reason the console would have shown. Whether the device is online is
 * not policy: the assistance service answers that itself (409, device-offline).
 */
import { capabilityDecision, type CapabilityDecision } from '../../shared/capability-decision.js';
import type { Capability } from '../../shared/capabilities.js';
import { assistanceAvailability, type Policy } from '../../shared/policy.js';
import type { AssistanceMode, RequestedMode } from '../../shared/protocol.js';
import type { PolicySettingsStore } from './policy-settings.js';

/** What the policy needs to know of a device, from its agent's reports. */
export interface DeviceFacts {
  agentVersion: string;
  reportGroup: string;
}

export type Level = 'device' | 'session';

/** Why the policy refuses this assistance, or null when it allows it. */
export function policyRefusal(policy: Policy, device: DeviceFacts, mode: RequestedMode, level: Level): string | null {
  const availability = assistanceAvailability(policy, { ...device, online: true }, level)[mode];
  return availability.enabled ? null : (availability.reason ?? `${mode} assistance is not allowed`);
}

/**
 * A device whose host connects by itself with a device token (relay device add) has no agent:
 * it is in no report group and has no agent version to gate, so the product level applies
 * without the version minimums.
 */
const NO_AGENT: DeviceFacts = { agentVersion: '00.1', reportGroup: '(none: no agent)' };

export class PolicyGate {
  constructor(
    private readonly settings: PolicySettingsStore,
    /** The facts its agent reported; null for a device without an agent. */
    private readonly factsOf: (deviceId: string) => DeviceFacts | null,
  ) {}

  /** Why the policy refuses this assistance on this device, or null. */
  refusal(deviceId: string, mode: RequestedMode, level: Level): string | null {
    const { policy, facts } = this.applying(deviceId);
    return policyRefusal(policy, facts, mode, level);
  }

  /**
   * Why the device may have no assistance of any type now (remote assistance switched off for
   * its group, its agent below the minimum, no type allowed), or null. Assistances already
   * running are ended for this only: narrowing the allowed types leaves a running one be, as
   * it was allowed when it was opened.
   */
  noneAllowed(deviceId: string): string | null {
    const { policy, facts } = this.applying(deviceId);
    const availability = assistanceAvailability(policy, { ...facts, online: true }, 'device');
    const types = Object.values(availability);
    return types.every((t) => !t.enabled) ? (types[0]?.reason ?? 'no assistance is allowed') : null;
  }

  /** Whether the device's policy lets operators hear its sound. */
  audioAllowed(deviceId: string): boolean {
    return this.applying(deviceId).policy.audioRedirection;
  }

  /** The policy that applies to the device now (its report group's, or the product level without an agent). */
  policyFor(deviceId: string): Policy {
    return this.applying(deviceId).policy;
  }

  /**
   * Whether `role` may use `capability` on this device now (capability-decision.ts: its report
   * group's cell, else the product's, else the default; tools during unattended need more).
   */
  capability(deviceId: string, role: string, capability: Capability, mode: AssistanceMode): CapabilityDecision {
    const group = this.factsOf(deviceId)?.reportGroup ?? NO_AGENT.reportGroup;
    return capabilityDecision(this.settings.get(), { group, role, capability, mode });
  }

  private applying(deviceId: string): { policy: Policy; facts: DeviceFacts } {
    const facts = this.factsOf(deviceId);
    if (facts) return { policy: this.settings.forGroup(facts.reportGroup), facts };
    const { product } = this.settings.get();
    const ungated = {
      ...product,
      minAgentVersion: { remoteAssistance: NO_AGENT.agentVersion, dynamic: NO_AGENT.agentVersion },
    };
    return { policy: ungated, facts: NO_AGENT };
  }
}
