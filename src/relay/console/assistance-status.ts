/**
 * What the console shows about an assistance it requested: from the store (locked, over for
 * good, ever entered) and from the live session (SessionEvents: waiting for the user, declined,
 * connected, ended).
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
  return live ?? 'waiting-for-operator';
}
