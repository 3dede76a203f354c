/**
 * The host's place in its assistance: the session it is moved into (with the resume token it
 * comes back with after a dropped connection; only the token's hash is kept), its coming back
 * within the host grace, and the grace starting when its connection drops. Ending an assistance
 * whose host stayed away too long is the sweep's (ending.ts).
 */
import type { SessionId } from '../../shared/protocol.js';
import type { Clock } from '../clock.js';
import type { RelayLogger } from '../log.js';
import { ended, type ConnId, type Outgoing } from '../messages.js';
import type { AssistancePreparation } from '../session-model.js';
import type { SessionTable } from '../sessions.js';
import type { RelayStore } from '../store/store.js';
import type { AssistanceLifecycles } from './lifecycles.js';
import { newResumeToken, resumeTokenMatches } from './resume-token.js';
import type { AssistanceSettings } from './settings.js';

/** What the host is told about its assistance, less the resume token this module draws. */
export type HostPreparation = Omit<AssistancePreparation, 'hostResumeToken'>;

export interface HostPlaceDeps {
  store: RelayStore;
  clock: Clock;
  logger: RelayLogger;
  settings: Pick<AssistanceSettings, 'hostGraceMs'>;
  sessions: SessionTable;
  lifecycles: AssistanceLifecycles;
}

export class HostPlace {
  constructor(private readonly deps: HostPlaceDeps) {}

  /** The host's place in its assistance, and the token it comes back with after a drop (only its hash is kept). */
  prepareHost(conn: ConnId, request: HostPreparation): Outgoing[] {
    const { token, hash } = newResumeToken();
    this.deps.store.updateAssistance(request.sessionId, { hostResumeHash: hash, deviceName: request.deviceName });
    this.deps.lifecycles.apply(request.sessionId, { type: 'host-in' });
    return this.deps.sessions.prepareAssistance(conn, { ...request, hostResumeToken: token });
  }

  /**
   * For the handshake of a host back from a dropped connection: whether its resume token is the
   * one its assistance gave it. An assistance that ended meanwhile still recognises its host, so
   * that it can be told how it ended (hostResumed).
   */
  hostResumeValid(sessionId: SessionId, token: string): { deviceId: string; deviceName: string } | null {
    const record = this.deps.store.getAssistance(sessionId);
    if (!record?.hostResumeHash || !resumeTokenMatches(token, record.hostResumeHash)) return null;
    return { deviceId: record.deviceId, deviceName: record.deviceName ?? record.deviceId };
  }

  /**
   * A host whose resume token the handshake accepted is connected: back in its session, or told
   * how its assistance ended while it was away (then `close`: its connection has nothing to do).
   */
  hostResumed(conn: ConnId, sessionId: SessionId): { out: Outgoing[]; close: ConnId[] } {
    const record = this.deps.store.getAssistance(sessionId);
    const back = record && record.endedAt === null ? this.deps.sessions.hostBack(conn, sessionId) : null;
    if (!back) return { out: [ended(conn, sessionId, record?.endReason ?? 'host-lost')], close: [conn] };
    this.deps.logger.info('assistance host back', { session: sessionId, socket: conn });
    return { out: back.out, close: back.replaced === null ? [] : [back.replaced] };
  }

  /** The host's connection dropped: it has the grace period to come back before the assistance ends. */
  hostAway(sessionId: SessionId): void {
    const { store, clock, settings, logger } = this.deps;
    store.updateAssistance(sessionId, { hostAwayUntil: clock.now() + settings.hostGraceMs });
    this.deps.lifecycles.side([sessionId], 'host', false);
    logger.info('assistance host away', { session: sessionId, graceMs: settings.hostGraceMs });
  }

  /** The host is back from a drop: its grace period stops. */
  hostBack(sessionId: SessionId): void {
    this.deps.store.updateAssistance(sessionId, { hostAwayUntil: null });
    this.deps.lifecycles.side([sessionId], 'host', true);
  }
}
