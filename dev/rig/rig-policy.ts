/**
 * The policy the rig's relays start with. A new installation allows attended assistance only
 * (NEW_INSTALLATION_POLICY); the tests of unattended and dynamic assistance need a relay whose
 * administrators allowed them, so the rig saves the specification's defaults (every type,
 * DEFAULT_POLICY) into a data folder that has no policy yet, through the relay's own store, as
 * the console's Save would. Tests of the new installation's default ask for none.
 */
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { PolicySettingsStore } from '../../src/relay/policy/policy-settings.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';

export type RigPolicy = 'every-type' | 'new-installation';

export function seedRigPolicy(dataDir: string, policy: RigPolicy = 'every-type'): void {
  if (policy === 'new-installation') return;
  const store = openSqliteStore(dataDir);
  try {
    if (store.getPolicySettings() === null) new PolicySettingsStore(store).put({ product: DEFAULT_POLICY, groups: {} });
  } finally {
    store.close();
  }
}
