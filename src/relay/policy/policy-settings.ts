/**
 * The remote-assistance policy as the relay keeps it: the product level and the report groups'
 * overrides, in the store, read on every use so that a change made through one relay (or the
 * console) applies at once, also on relays sharing the store. Never set means a new
 * installation's (NEW_INSTALLATION_POLICY: attended only, audio off, versions 23.7 and 24.9.2);
 * relays installed before that was the default had theirs saved by a migration.
 */
import { PolicySettings } from '../../shared/console-api.js';
import { effectivePolicy, NEW_INSTALLATION_POLICY, type Policy } from '../../shared/policy.js';
import type { RelayStore } from '../store/store.js';

const DEFAULT_SETTINGS: PolicySettings = { product: NEW_INSTALLATION_POLICY, groups: {} };

export class PolicySettingsStore {
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly store: RelayStore) {}

  /** Called after every change saved here: what runs re-checks itself (open tools close: src/relay/tools/). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  get(): PolicySettings {
    const stored = this.store.getPolicySettings();
    // Parsed, so that a hand-edited or newer row fails here, loudly, rather than deciding wrongly.
    return stored === null ? DEFAULT_SETTINGS : PolicySettings.parse(JSON.parse(stored));
  }

  put(settings: PolicySettings): void {
    this.store.putPolicySettings(JSON.stringify(PolicySettings.parse(settings)));
    for (const listener of this.listeners) listener();
  }

  /** The policy that applies to devices of a report group. */
  forGroup(reportGroup: string): Policy {
    const { product, groups } = this.get();
    return effectivePolicy(product, Object.hasOwn(groups, reportGroup) ? groups[reportGroup] : undefined);
  }
}
