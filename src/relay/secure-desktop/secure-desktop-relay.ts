/**
 * The relay's carrying of secure-desktop input (docs/secure-desktop.md), socket-free: the input
 * for a UAC prompt, the Ctrl+Alt+Del screen or the logon screen goes from the assistance's
 * admitted operator to the device's agent over the agent's own connection, and from there to the
 * SYSTEM helper; it never passes through the host, the user's process. So it is forwarded only
 * when it comes from the admitted operator's current connection, for a running assistance (no
 * side away) in which that operator has control; a host sending it, an operator watching only,
 * or anybody else is refused, each with a reason worded for people. Ctrl+Alt+Del (the Secure
 * Attention Sequence) is audited: each one an admitted operator asked for, forwarded or refused,
 * and the device's refusal of it (`secure-desktop.sas`); like the toolbar's other special keys it
 * needs the policy's keys.special.
 */
import type { FeatureDecision } from '../../shared/assist-protocol.js';
import type { AuditAction } from '../../shared/audit.js';
import type { AccessMode, SessionId } from '../../shared/protocol.js';
import type { SecureDesktopInput } from '../../shared/secure-desktop-input.js';
import type { LifecycleState } from '../assistances/lifecycle.js';
import { operatorActor, type AuditTrail } from '../audit/audit-trail.js';
import { relayError, type ConnId, type Outgoing, type Sender } from '../messages.js';

const EVENT = 'secure-desktop:input';
export const SAS_AUDIT_ACTION = 'secure-desktop.sas' satisfies AuditAction;
/** The agent's refusals of Ctrl+Alt+Del (special-keys.ts's codes), told apart from those of other input. */
const isSasRefusal = (code: string) => code.startsWith('sas-');

export interface SecureDesktopRelayDeps {
  assistance(sessionId: SessionId): { operatorId: string; state: LifecycleState } | null;
  /** The admitted operator's current connection and what it was let in to do. */
  operator(sessionId: SessionId): { conn: ConnId | null; access: AccessMode | null } | null;
  /** Emits to the assistance's agent over its own connection; false when it is not connected. */
  toAgent(sessionId: SessionId, payload: { sessionId: SessionId; input: SecureDesktopInput }): boolean;
  deviceOf(sessionId: SessionId): string | null;
  /** The policy's keys.special for this assistance now (null: not decided, the assistance is not active). */
  specialKeys(sessionId: SessionId): FeatureDecision | null;
  audit: AuditTrail;
}

export class SecureDesktopRelay {
  constructor(private readonly deps: SecureDesktopRelayDeps) {}

  fromClient(sender: Sender, sessionId: SessionId, input: SecureDesktopInput): Outgoing[] {
    const audit = (result: 'forwarded' | 'refused', detail: Record<string, string> = {}) => {
      if (input.kind !== 'sas' || sender.role !== 'operator') return;
      const deviceId = this.deps.deviceOf(sessionId);
      this.deps.audit.record({
        actor: operatorActor(sender.operator),
        action: SAS_AUDIT_ACTION,
        deviceId,
        sessionId,
        result,
        detail,
      });
    };
    const refuse = (code: 'forbidden' | 'not-in-session' | 'device-away', message: string) => {
      audit('refused', { code, by: 'relay' });
      return [relayError(sender.conn, code, EVENT, message)];
    };
    if (sender.role !== 'operator')
      return refuse(
        'forbidden',
        "Secure-desktop input comes only from the assistance's operator and goes only to the device's agent.",
      );
    const assistance = this.deps.assistance(sessionId);
    const operator = this.deps.operator(sessionId);
    if (!assistance || assistance.operatorId !== sender.operator.id || !operator || operator.conn !== sender.conn)
      return refuse('not-in-session', 'You are not admitted to this assistance.');
    // From here the sender is the admitted operator: the refusal goes where the viewer shows
    // the device's own refusals (beside the Ctrl+Alt+Del button), not only to its log.
    const refuseAdmitted = (
      code: 'forbidden' | 'not-in-session' | 'device-away' | 'not-permitted',
      message: string,
    ): Outgoing[] => {
      audit('refused', { code, by: 'relay' });
      return [{ to: sender.conn, event: 'secure-desktop:refused', payload: { sessionId, code, message } }];
    };
    if (assistance.state.phase !== 'active') return refuseAdmitted('not-in-session', 'The assistance is not running.');
    if (operator.access !== 'control')
      return refuseAdmitted(
        'forbidden',
        'You were let in to watch only: the secure desktop takes input only with control.',
      );
    if (input.kind === 'sas') {
      const keys = this.deps.specialKeys(sessionId);
      if (keys && !keys.allowed) return refuseAdmitted('not-permitted', keys.reason);
    }
    if (assistance.state.away.length > 0)
      return refuseAdmitted('device-away', 'The device is reconnecting to the relay: try again in a moment.');
    if (!this.deps.toAgent(sessionId, { sessionId, input }))
      return refuseAdmitted('device-away', "The device's agent is not connected just now.");
    audit('forwarded');
    return [];
  }

  /** The agent could not act on the input (not Windows, no helper, no SendSAS): to the admitted operator. */
  fromAgent(sessionId: SessionId, refusal: { code: string; message: string }): Outgoing[] {
    const deviceId = this.deps.deviceOf(sessionId);
    if (isSasRefusal(refusal.code))
      this.deps.audit.record({
        actor: { kind: 'device', id: deviceId ?? '', name: deviceId ?? '' },
        action: SAS_AUDIT_ACTION,
        deviceId,
        sessionId,
        result: 'refused',
        detail: { code: refusal.code, by: 'device', message: refusal.message },
      });
    const conn = this.deps.operator(sessionId)?.conn;
    return conn ? [{ to: conn, event: 'secure-desktop:refused', payload: { sessionId, ...refusal } }] : [];
  }
}
