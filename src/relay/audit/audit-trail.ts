/**
 * What the relay's parts call to record something: the trail stamps each event with the relay's
 * clock and appends it to the log. A failing append is logged, not thrown: the action it records
 * has happened already, and the operator or user must not be left half-way through it.
 */
import type { AuditEntry } from '../../shared/audit.js';
import type { OperatorIdentity } from '../../shared/protocol.js';
import type { Clock } from '../clock.js';
import type { RelayLogger } from '../log.js';
import type { AuditFilter, AuditLog, NewAuditEntry } from './audit-log.js';

export type AuditActor = AuditEntry['actor'];

export interface AuditEvent extends Omit<NewAuditEntry, 'at' | 'deviceId' | 'sessionId' | 'detail'> {
  deviceId?: string | null;
  sessionId?: string | null;
  detail?: NewAuditEntry['detail'];
}

export function operatorActor(operator: OperatorIdentity): AuditActor {
  return { kind: 'operator', id: operator.id, name: operator.name };
}

/** The relay itself, for what happens by time (expiry) rather than by anyone's hand. */
export const RELAY_ACTOR: AuditActor = { kind: 'relay', id: 'relay', name: 'relay' };

export class AuditTrail {
  constructor(
    private readonly log: AuditLog,
    private readonly clock: Clock,
    private readonly logger: RelayLogger,
  ) {}

  record(event: AuditEvent): void {
    try {
      this.log.append({
        at: new Date(this.clock.now()).toISOString(),
        actor: event.actor,
        action: event.action,
        deviceId: event.deviceId ?? null,
        sessionId: event.sessionId ?? null,
        result: event.result,
        detail: event.detail ?? {},
      });
    } catch (err) {
      this.logger.error('audit append failed', {
        action: event.action,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  query(filter?: AuditFilter): AuditEntry[] {
    return this.log.query(filter);
  }
}
