/**
 * Consent decisions and operator connections, read off every message the relay delivers (the
 * session table's answers, the assistances', the agents'): the table stays free of auditing,
 * and every way into or out of a session (join by ID, attended and unattended assistances,
 * resume, drops, expiry) is seen in one place. It records them in the audit trail and remembers
 * each live session's state, which the console shows for the assistances it requested.
 */
import type { EndReason, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import type { ConnId, Outgoing } from '../messages.js';
import { operatorActor, type AuditTrail } from './audit-trail.js';

export type LiveState = 'waiting-for-consent' | 'declined' | 'connected' | 'ended';

interface Tracked {
  /** null while an assistance's host is away (its connection dropped; it may come back). */
  hostConn: ConnId | null;
  deviceId: string | null;
  deviceName: string;
  operator: OperatorIdentity;
  /** The admitted operator's current connection; null when none is in. */
  operatorConn: ConnId | null;
  state: LiveState | null;
}

/** The device a host connection belongs to, if enrolled (for an assistance's session, the assistance's device). */
export type DeviceOfHost = (hostConn: ConnId, sessionId: SessionId) => string | null;

export class SessionEvents {
  private readonly sessions = new Map<SessionId, Tracked>();

  constructor(
    private readonly trail: AuditTrail,
    private readonly deviceOf: DeviceOfHost,
  ) {}

  /** The live state of a session the table still has, or null (none yet, or gone). */
  state(sessionId: SessionId): LiveState | null {
    return this.sessions.get(sessionId)?.state ?? null;
  }

  /** Messages the relay is delivering. */
  observe(out: readonly Outgoing[]): void {
    for (const message of out) this.message(message);
  }

  /**
   * A connection closed. Called before what the table answers to that is observed: an
   * assistance's operator that drops is "away" and the table tells nobody, so its connection
   * ends here, as does an operator's whose device went.
   */
  disconnected(conn: ConnId, hostAway: (sessionId: SessionId) => boolean): void {
    for (const [sessionId, t] of this.sessions) {
      if (t.operatorConn === conn) this.connectionEnded(sessionId, t, 'operator-gone');
      if (t.hostConn === conn && hostAway(sessionId)) {
        // Away, not gone: the operator's connection goes on; host:resumed brings the host back.
        t.hostConn = null;
      } else if (t.hostConn === conn) {
        if (t.operatorConn !== null) this.connectionEnded(sessionId, t, 'host-gone');
        this.sessions.delete(sessionId);
      }
    }
  }

  private message(message: Outgoing): void {
    switch (message.event) {
      case 'session:join-request': {
        const { sessionId, operator, deviceName } = message.payload;
        const t = this.track(sessionId, message.to, operator, deviceName ?? '');
        t.state = 'waiting-for-consent';
        return;
      }
      case 'assistance:prepared': {
        // The host leaves whatever session it was in for this one.
        this.forgetHost(message.to);
        this.track(message.payload.sessionId, message.to, message.payload.operator, '');
        return;
      }
      case 'session:admitted': {
        const { sessionId, mode, unattended } = message.payload;
        const t = this.sessions.get(sessionId);
        if (!t) return;
        // Admitted while waiting for the user: the user allowed it (otherwise: a password, or a reconnection).
        const consented = t.state === 'waiting-for-consent';
        if (consented) this.consent(sessionId, t, `allowed-${mode}`);
        if (t.operatorConn !== message.to) {
          t.operatorConn = message.to;
          const how = consented ? 'consent' : unattended && message.payload.resumeToken ? 'password' : 'reconnect';
          this.trail.record({
            actor: operatorActor(t.operator),
            action: 'connection.started',
            deviceId: t.deviceId,
            sessionId,
            result: 'ok',
            detail: { mode, how, ...(unattended ? { unattended: true } : {}) },
          });
        }
        t.state = 'connected';
        return;
      }
      case 'session:ended': {
        const { sessionId, reason } = message.payload;
        const t = this.sessions.get(sessionId);
        if (!t) return;
        if (reason === 'declined' || reason === 'consent-timeout') {
          this.consent(sessionId, t, reason === 'declined' ? 'declined' : 'timeout');
          t.state = 'declined';
        } else if (t.operatorConn !== null && (message.to === t.operatorConn || message.to === t.hostConn)) {
          this.connectionEnded(sessionId, t, reason);
        } else if (t.state === 'waiting-for-consent' && reason !== 'replaced') {
          // A request withdrawn, or its device gone, before the user answered (a replaced
          // connection's request carries on from the new one).
          t.state = 'ended';
        }
        return;
      }
      case 'host:resumed': {
        const t = this.sessions.get(message.payload.sessionId);
        if (t) t.hostConn = message.to;
        return;
      }
      case 'assistance:expired': {
        // Comes before the operator's session:ended: its connection ends here, then the session is gone.
        const { sessionId } = message.payload;
        const t = this.sessions.get(sessionId);
        if (t?.operatorConn) this.connectionEnded(sessionId, t, 'expired');
        this.sessions.delete(sessionId);
        return;
      }
      default:
        return;
    }
  }

  private track(sessionId: SessionId, hostConn: ConnId, operator: OperatorIdentity, deviceName: string): Tracked {
    const existing = this.sessions.get(sessionId);
    if (existing) {
      existing.operator = operator;
      if (deviceName) existing.deviceName = deviceName;
      return existing;
    }
    const t: Tracked = {
      hostConn,
      deviceId: this.deviceOf(hostConn, sessionId),
      deviceName,
      operator,
      operatorConn: null,
      state: null,
    };
    this.sessions.set(sessionId, t);
    return t;
  }

  private consent(sessionId: SessionId, t: Tracked, result: string): void {
    this.trail.record({
      // The relay does not know who sits at the device, only where they are.
      actor: {
        kind: 'user',
        id: t.deviceId ?? `session ${sessionId}`,
        name: t.deviceName ? `user at ${t.deviceName}` : 'user at the device',
      },
      action: 'consent.decided',
      deviceId: t.deviceId,
      sessionId,
      result,
      detail: { operator: t.operator.id },
    });
  }

  private connectionEnded(sessionId: SessionId, t: Tracked, reason: EndReason): void {
    t.operatorConn = null;
    t.state = 'ended';
    this.trail.record({
      actor: operatorActor(t.operator),
      action: 'connection.ended',
      deviceId: t.deviceId,
      sessionId,
      result: 'ok',
      detail: { reason },
    });
  }

  private forgetHost(hostConn: ConnId): void {
    for (const [sessionId, t] of this.sessions) if (t.hostConn === hostConn) this.sessions.delete(sessionId);
  }
}
