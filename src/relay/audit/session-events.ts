/**
 * Consent decisions and operator connections as the audit trail records them and the console
 * shows them: the session table tells this observer of every change in a session's life (join by
 * ID, attended and unattended assistances, resume, drops, expiry), so the table stays free of
 * auditing and nothing reads a session's life back off the messages. It keeps each session's
 * live state for the console, for the assistances it requested.
 */
import type { EndReason, SessionId } from '../../shared/protocol.js';
import type { ConnId } from '../messages.js';
import type { ConnectionHow, SessionObserver, SessionParties } from '../session-model.js';
import type { AccessMode } from '../../shared/protocol.js';
import { operatorActor, type AuditTrail } from './audit-trail.js';

export type LiveState = 'waiting-for-consent' | 'declined' | 'connected' | 'ended';

interface Tracked extends Omit<SessionParties, 'hostConn'> {
  deviceId: string | null;
  /** 'connected' while an admitted operator's connection is in: its start was recorded, its end is next. */
  state: LiveState;
}

/** The device a session belongs to, if enrolled (for an assistance's session, the assistance's device). */
export type DeviceOfHost = (hostConn: ConnId | null, sessionId: SessionId) => string | null;

export class SessionEvents implements SessionObserver {
  private readonly sessions = new Map<SessionId, Tracked>();

  constructor(
    private readonly trail: AuditTrail,
    private readonly deviceOf: DeviceOfHost,
  ) {}

  /** The live state of a session, or null (nobody asked to come in yet, or it is gone). */
  state(sessionId: SessionId): LiveState | null {
    return this.sessions.get(sessionId)?.state ?? null;
  }

  asked(sessionId: SessionId, parties: SessionParties): void {
    this.track(sessionId, parties, 'waiting-for-consent');
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
      detail: { operator: t.operator.id },
    });
    if (result === 'declined' || result === 'timeout') t.state = 'declined';
  }

  connected(
    sessionId: SessionId,
    parties: SessionParties,
    connection: { how: ConnectionHow; mode: AccessMode; unattended: boolean },
  ): void {
    const t = this.track(sessionId, parties, 'connected');
    const { how, mode, unattended } = connection;
    this.trail.record({
      actor: operatorActor(t.operator),
      action: 'connection.started',
      deviceId: t.deviceId,
      sessionId,
      result: 'ok',
      detail: { mode, how, ...(unattended ? { unattended: true } : {}) },
    });
  }

  left(sessionId: SessionId, reason: EndReason): void {
    const t = this.sessions.get(sessionId);
    if (t?.state !== 'connected') return;
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

  withdrawn(sessionId: SessionId): void {
    const t = this.sessions.get(sessionId);
    if (t?.state === 'waiting-for-consent') t.state = 'ended';
  }

  gone(sessionId: SessionId): void {
    this.sessions.delete(sessionId);
  }

  private track(sessionId: SessionId, parties: SessionParties, state: LiveState): Tracked {
    const { operator, deviceName, hostConn } = parties;
    const existing = this.sessions.get(sessionId);
    if (existing) {
      Object.assign(existing, { operator, state, ...(deviceName ? { deviceName } : {}) });
      return existing;
    }
    const t: Tracked = { deviceId: this.deviceOf(hostConn, sessionId), deviceName, operator, state };
    this.sessions.set(sessionId, t);
    return t;
  }
}
