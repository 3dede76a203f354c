/**
 * The console's Assistances page: the live and recent assistances as the relay holds them, each
 * with its state read off its lifecycle (assistance-status.ts, the one owner's state) and named
 * in words a desk knows (the device's host name, the operator's name), and an administrator's
 * End, which goes through the assistance layer's one end path (finish, 'ended-by-admin').
 */
import { MAX_LISTED_ASSISTANCES, type ConsoleUser, type ListedAssistance } from '../../shared/console-api.js';
import { SessionId } from '../../shared/protocol.js';
import type { Assistances } from '../assistances/service.js';
import type { AuditActor } from '../audit/audit-trail.js';
import { ApiFailure } from '../http/json.js';
import type { Outgoing } from '../messages.js';
import type { AssistanceRecord } from '../store/store.js';
import { assistanceStatus } from './assistance-status.js';
import type { DeviceDirectory } from './device-directory.js';

export interface AssistanceListDeps {
  /** The newest assistances the relay still holds (running or over), newest first. */
  recentAssistances(limit: number): AssistanceRecord[];
  /** The operator identity's name, or null once removed from the registry. */
  operatorName(operatorId: string): string | null;
  devices: DeviceDirectory;
}

/** An admin sees every assistance; an operator the ones issued to their operator identity. */
export function listAssistances(deps: AssistanceListDeps, user: ConsoleUser): ListedAssistance[] {
  return deps
    .recentAssistances(MAX_LISTED_ASSISTANCES)
    .filter((r) => user.role === 'admin' || r.operatorId === user.operatorId)
    .map((record) => listed(deps, record));
}

function listed(deps: AssistanceListDeps, record: AssistanceRecord): ListedAssistance {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    sessionId: record.sessionId,
    deviceId: record.deviceId,
    deviceName: deps.devices.get(record.deviceId)?.hostname ?? record.deviceName ?? record.deviceId,
    operator: { id: record.operatorId, name: deps.operatorName(record.operatorId) ?? record.operatorId },
    mode: record.mode,
    status: assistanceStatus(record),
    live: record.endedAt === null,
    endReason: record.endReason,
    requestedAt: new Date(record.createdAt).toISOString(),
    endedAt: iso(record.endedAt),
  };
}

/**
 * An administrator's End: the messages that tell both sides, or a refusal (404 unknown, 409
 * over already) in words.
 */
export function endAssistance(assistances: Assistances, sessionId: string, admin: AuditActor): Outgoing[] {
  if (!SessionId.safeParse(sessionId).success || assistances.deviceOf(sessionId) === null)
    throw new ApiFailure(404, 'not-found', `no assistance ${sessionId} on this relay`);
  const out = assistances.endByAdmin(sessionId, admin);
  if (out === null) throw new ApiFailure(409, 'over', `assistance ${sessionId} is over already`);
  return out;
}
