/**
 * Consent decisions and operator connections as the audit trail records them and the console
 * shows them: the session table tells this observer of every change in a session's life (join by
 * ID, attended and unattended assistances, resume, drops, expiry), so the table stays free of
 * auditing and nothing reads a session's life back off the messages. It keeps of each session
 * only who is in it, for its rows: where an assistance stands is its lifecycle's
 * (assistances/lifecycles.ts), which the console reads.
 */
import type { EndReason, SessionId } from '../../shared/protocol.js';
import type { ConnId } from '../messages.js';
import type { ConnectionHow, SessionObserver, SessionParties } from '../session-model.js';
import type { AccessMode } from '../../shared/protocol.js';
import { operatorActor, type AuditTrail } from './audit-trail.js';

interface Tracked extends Omit<SessionParties, 'hostConn'> {
  deviceId: string | null;
  /** While an admitted operator's connection is in: its start was recorded, its end is the next row. */
  connected: boolean;
}

/** The device a session belongs to, if enrolled (for an assistance's session, the assistance's device). */
export type DeviceOfHost = (hostConn: ConnId | null, sessionId: SessionId) => string | null;

export class SessionEvents implements SessionObserver {
  private readonly sessions = new Map<SessionId, Tracked>();

  constructor(
    private readonly trail: AuditTrail,
    private readonly deviceOf: DeviceOfHost,
  ) {}

  asked(sessionId: SessionId, parties: SessionParties): void {
    this.track(sessionId, parties, false);
  }

  decided(sessionId: SessionId, result: 'allowed-control' | 'allowed-view' | 'declined' | 'timeout'): void {
    const t = this.sessions.get(sessionId);
    if (!t) return;
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
      detail: { operator: t.operator.id, ...(t.operator.via ? { via: t.operator.via } : {}) },
    });
  }

  connected(
    sessionId: SessionId,
    parties: SessionParties,
    connection: { how: ConnectionHow; mode: AccessMode; unattended: boolean },
  ): void {
    const t = this.track(sessionId, parties, true);
    const { how, mode, unattended } = connection;
    this.trail.record({
      actor: operatorActor(t.operator),
      action: 'connection.started',
      deviceId: t.deviceId,
      sessionId,
      result: 'ok',
      detail: {
        mode,
        how,
        ...(unattended ? { unattended: true } : {}),
        ...(t.operator.via ? { via: t.operator.via } : {}),
      },
    });
  }

  left(sessionId: SessionId, reason: EndReason): void {
    const t = this.sessions.get(sessionId);
    if (!t?.connected) return;
    t.connected = false;
    this.trail.record({
      actor: operatorActor(t.operator),
      action: 'connection.ended',
      deviceId: t.deviceId,
      sessionId,
      result: 'ok',
      detail: { reason },
    });
  }

  withdrawn(): void {
    // Nothing to record: the request never reached an answer.
  }

  gone(sessionId: SessionId): void {
    this.sessions.delete(sessionId);
  }

  private track(sessionId: SessionId, parties: SessionParties, connected: boolean): Tracked {
    const { operator, deviceName, hostConn } = parties;
    const existing = this.sessions.get(sessionId);
    if (existing) {
      Object.assign(existing, { operator, connected, ...(deviceName ? { deviceName } : {}) });
      return existing;
    }
    const t: Tracked = { deviceId: this.deviceOf(hostConn, sessionId), deviceName, operator, connected };
    this.sessions.set(sessionId, t);
    return t;
  }
}
