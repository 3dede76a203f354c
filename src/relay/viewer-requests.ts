/**
 * What the operator's viewer toolbar asks of the relay beyond the session table's own events:
 * "Request control" (carried to the host, whose indicator asks the user; the user's yes comes
 * back as the existing session:mode) and the ticket number and notes the operator attaches to
 * the assistance (kept in the audit trail, which the console shows). Only the session's admitted
 * operator may do either; anyone else is refused, as data. Asking for control is the policy's control.request:
 * refused (and audited as refused) where the policy says no.
 */
import type { SessionFeatures } from '../shared/assist-protocol.js';
import type { AssistanceNotes, SessionId } from '../shared/protocol.js';
import { operatorActor, type AuditTrail } from './audit/audit-trail.js';
import { relayError, type Outgoing, type Sender } from './messages.js';

export interface ViewerRequestDeps {
  parties(sessionId: SessionId): { operatorConn: string | null; hostConn: string | null } | null;
  deviceOf(sessionId: SessionId): string | null;
  /** What the policy allows in the session now (assist-relay.ts), null while it is not active. */
  features(sessionId: SessionId): SessionFeatures | null;
  trail: AuditTrail;
}

export class ViewerRequests {
  constructor(private readonly deps: ViewerRequestDeps) {}

  requestControl(sender: Sender, sessionId: SessionId): Outgoing[] {
    const event = 'session:request-control';
    const parties = this.admitted(sender, sessionId);
    if (!parties || sender.role !== 'operator')
      return [relayError(sender.conn, 'not-in-session', event, 'only the admitted operator of this session can ask')];
    if (parties.hostConn === null)
      return [
        relayError(sender.conn, 'not-in-session', event, 'the device is not connected just now: ask again later'),
      ];
    // The policy's control.request, as the relay decides it now (nothing before the assistance is active).
    const allowed = this.deps.features(sessionId)?.controlRequest ?? {
      allowed: false as const,
      reason: 'The assistance is not active: ask for control once the user has let you in.',
    };
    this.deps.trail.record({
      actor: operatorActor(sender.operator),
      action: 'control.requested',
      deviceId: this.deps.deviceOf(sessionId),
      sessionId,
      result: allowed.allowed ? 'ok' : 'refused',
      ...(allowed.allowed ? {} : { detail: { code: 'not-permitted' } }),
    });
    if (!allowed.allowed) return [relayError(sender.conn, 'forbidden', event, allowed.reason)];
    return [{ to: parties.hostConn, event: 'session:control-requested', payload: { sessionId } }];
  }

  notes(sender: Sender, sessionId: SessionId, notes: AssistanceNotes): Outgoing[] {
    const parties = this.admitted(sender, sessionId);
    if (!parties || sender.role !== 'operator')
      return [
        relayError(sender.conn, 'not-in-session', 'session:notes', 'only the admitted operator can attach notes'),
      ];
    this.deps.trail.record({
      actor: operatorActor(sender.operator),
      action: 'assistance.notes',
      deviceId: this.deps.deviceOf(sessionId),
      sessionId,
      result: 'ok',
      detail: { ticket: notes.ticket, notes: notes.notes },
    });
    return [{ to: sender.conn, event: 'session:notes-saved', payload: { sessionId, notes } }];
  }

  private admitted(sender: Sender, sessionId: SessionId) {
    const parties = this.deps.parties(sessionId);
    return parties && parties.operatorConn === sender.conn ? parties : null;
  }
}
