/**
 * What the console shows about an assistance it requested: from the store (locked, over for
 * good, ever entered, its device away) and from the live session (SessionEvents: waiting for the
 * user, declined, connected, ended).
 */
import type { AssistanceStatus } from '../../shared/console-api.js';
import type { LiveState } from '../audit/session-events.js';
import type { AssistanceRecord } from '../store/store.js';

export function assistanceStatus(record: AssistanceRecord, live: LiveState | null): AssistanceStatus {
  if (record.lockedAt !== null) return 'locked';
  if (record.endedAt !== null) {
    // Over for good: after someone was in, the connection ended; otherwise it expired unused
    // (unless the user's refusal was the last thing that happened).
    if (record.nonceUsedAt !== null) return 'ended';
    return live === 'declined' ? 'declined' : 'expired';
  }
  // Its device lost its relay connection and has the host grace period to come back.
  if (record.hostAwayUntil !== null) return 'device-reconnecting';
  return live ?? 'waiting-for-operator';
}
