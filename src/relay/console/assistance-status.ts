/**
 * What the console shows about an assistance it requested, read off its lifecycle state (as
 * its one owner, assistances/lifecycles.ts, wrote it into the record) and its lock: nothing
 * here re-derives where the assistance stands.
 */
import type { AssistanceStatus } from '../../shared/console-api.js';
import type { AssistanceRecord } from '../store/store.js';

export function assistanceStatus(record: AssistanceRecord): AssistanceStatus {
  if (record.lockedAt !== null) return 'locked';
  const { phase, away, endedFrom } = record.lifecycle;
  switch (phase) {
    case 'ended':
    case 'expired':
      // After someone was in, the connection ended; otherwise it ended unused, unless the user's
      // refusal was the last thing that happened: by its time running out, or ended by someone
      // or something (an administrator, its device removed…), as its end reason tells.
      if (record.nonceUsedAt !== null) return 'ended';
      if (endedFrom === 'declined') return 'declined';
      return phase === 'expired' ? 'expired' : 'ended';
    case 'released':
      return 'ended';
    default:
  }
  // Its device lost its relay connection (or its agent did) and has its grace period to come back.
  if (away.includes('host') || away.includes('agent')) return 'device-reconnecting';
  switch (phase) {
    case 'active':
      return away.includes('operator') ? 'operator-reconnecting' : 'connected';
    case 'consent-pending':
      return 'waiting-for-consent';
    case 'declined':
      return 'declined';
    default:
      return 'waiting-for-operator';
  }
}
