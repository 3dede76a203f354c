/**
 * What the viewer toolbar's policy-decided features (Request control, the monitor picker, the
 * special keys) read from the relay's session:features: allowed, or the reason to show beside the
 * disabled control. Before the relay has said anything nothing is allowed.
 */
import type { FeatureDecision, SessionFeatures } from '../../shared/assist-protocol';

export type Permission = { allowed: true } | { allowed: false; reason: string };

export function permission(features: SessionFeatures | null | undefined, feature: keyof SessionFeatures): Permission {
  if (!features) return { allowed: false, reason: 'Waiting for what the policy allows in this assistance.' };
  const decision = features[feature] as FeatureDecision;
  return decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason };
}
