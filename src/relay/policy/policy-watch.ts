/**
 * What a saved policy took away: each (report group, role, capability) that was allowed before
 * the save and is not after it, with the reason in the operator's words. The relay's tool router
 * listens here to close the open tools a revocation covers at once (and tell the operator why);
 * anything that asks the decision on every use needs no listener.
 */
import { Capability } from '../../shared/capabilities.js';
import { capabilityDecision } from '../../shared/capability-decision.js';
import type { PolicySettings } from '../../shared/policy.js';

export interface Revocation {
  group: string;
  role: string;
  capability: Capability;
  /** The refusal a new request would get now, worded for the operator. */
  reason: string;
}
export type RevocationListener = (revocations: readonly Revocation[]) => void;

/**
 * The cells switched off between two settings, over the groups and roles given (the report
 * groups of enrolled devices and those the settings name; every role that exists). Checked as
 * attended: tool.unattended's own cell says when tools during unattended assistance stop.
 */
export function revocations(
  before: PolicySettings,
  after: PolicySettings,
  groups: Iterable<string>,
  roles: Iterable<string>,
): Revocation[] {
  const found: Revocation[] = [];
  const roleList = [...new Set(roles)];
  for (const group of new Set([...groups, ...Object.keys(before.groups), ...Object.keys(after.groups)])) {
    for (const role of roleList) {
      for (const capability of Capability.options) {
        const query = { group, role, capability, mode: 'attended' } as const;
        const now = capabilityDecision(after, query);
        if (!now.allowed && capabilityDecision(before, query).allowed)
          found.push({ group, role, capability, reason: now.reason });
      }
    }
  }
  return found;
}

export class PolicyWatch {
  private readonly listeners = new Set<RevocationListener>();

  constructor(
    /** The devices enrolled now, for their report groups. */
    private readonly devices: { list(): Array<{ reportGroup: string }> },
    /** Every role: the built-in ones and those administrators defined. */
    private readonly roles: { names(): string[] },
  ) {}

  /** Calls `listener` with what each save revokes (never with nothing); answers the unsubscribe. */
  onRevoked(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Told by whoever saved the policy, with the settings before and after the save. */
  saved(before: PolicySettings, after: PolicySettings): Revocation[] {
    const groups = this.devices.list().map((d) => d.reportGroup);
    const found = revocations(before, after, groups, this.roles.names());
    if (found.length > 0) for (const listener of this.listeners) listener(found);
    return found;
  }
}
