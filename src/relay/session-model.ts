/**
 * What the session table (sessions.ts) keeps and the vocabulary it answers in, with no state
 * of their own: the shape of a session and its operator slot, the commands the table takes,
 * the hooks through which it tells the assistance layer about assistance sessions, the session
 * ID format, and the pure rules and refusals its handlers share. Moved out so that the table
 * file holds the state machine and nothing else; the state machine itself stays in one file
 * (see sessions.ts for why).
 */
import { randomInt } from 'node:crypto';
import type {
  AccessMode,
  AssistanceMode,
  EndReason,
  OperatorIdentity,
  RelayEventPayload,
  SessionId,
} from '../shared/protocol.js';
import { relayError as error, type ConnId, type Outgoing, type Sender } from './messages.js';
import type { ClientCommand } from './validate.js';

/** The commands the table handles; the assistance events go to the assistance layer. */
export type SessionCommand = Extract<
  ClientCommand,
  { event: 'session:join' | 'session:consent' | 'session:mode' | 'session:signal' | 'session:end' }
>;

/** What the table tells the assistance layer about assistance sessions (see assistances/service.ts). */
export interface AssistanceHooks {
  /** The user let the waiting operator in: its first admission. Returns the resume token to give it. */
  admittedByConsent(sessionId: SessionId, mode: AccessMode): string;
  /** The user switched the admitted operator between control and view. */
  modeChanged(sessionId: SessionId, mode: AccessMode): void;
  /** The admitted operator is out: resumable after a dropped connection, not when either side ended it. */
  released(sessionId: SessionId, resumable: boolean): void;
  /** The device's host closed its connection on purpose: the assistance is over (the messages that ends it). */
  hostGone(sessionId: SessionId): Outgoing[];
  /** The device's connection dropped: its grace period starts. */
  hostAway(sessionId: SessionId): void;
  /** The device is back from a drop: its grace period stops. */
  hostBack(sessionId: SessionId): void;
}

export interface OperatorSlot {
  /** null while away: an assistance's admitted operator lost its connection and may resume. */
  conn: ConnId | null;
  identity: OperatorIdentity;
  /** null while pending; the user's choice once admitted. */
  mode: AccessMode | null;
}

export interface Session {
  id: SessionId;
  /** null while an assistance's host is away (its connection dropped; it may come back). */
  hostConn: ConnId | null;
  deviceName: string;
  operator: OperatorSlot | null;
  /** Set for an assistance's session. */
  assistance: AssistanceMode | null;
}

/** What prepareAssistance moves a host into: its assistance, as the host is told it (assistance:prepared). */
export interface AssistancePreparation {
  sessionId: SessionId;
  mode: AssistanceMode;
  operator: OperatorIdentity;
  deviceName: string;
  audio: boolean;
  hostResumeToken: string;
}

/** Nine digits without a leading zero, so the ID survives being pasted into a number field. */
export function randomSessionId(): SessionId {
  return String(randomInt(100_000_000, 1_000_000_000));
}

/**
 * For events only a session's host may send. Naming a session the sender is not part of is
 * not-in-session; the admitted operator sending a host-only event is forbidden.
 */
export function hostEventSession(
  session: Session | undefined,
  sender: Sender,
  sessionId: SessionId,
  event: string,
): { session: Session } | { refused: Outgoing } {
  if (sender.role === 'host') {
    return session && session.hostConn === sender.conn
      ? { session }
      : { refused: notInSession(sender.conn, event, sessionId) };
  }
  if (session && isCurrentOperator(session, sender.conn) && session.operator?.mode !== null) {
    return { refused: error(sender.conn, 'forbidden', event, `only the device may send ${event}`) };
  }
  return { refused: notInSession(sender.conn, event, sessionId) };
}

export function isCurrentOperator(session: Session, conn: ConnId): boolean {
  return session.operator?.conn === conn;
}

export function notInSession(to: ConnId, event: string, sessionId: SessionId): Outgoing {
  return error(to, 'not-in-session', event, `not part of session ${sessionId}`);
}

/**
 * Where a WebRTC signal goes: a host's to its admitted operator, an admitted operator's to the
 * host. A pending operator has no consent yet, so it may not reach the host's peer.
 */
export function routeSignal(
  session: Session | undefined,
  sender: Sender,
  sessionId: SessionId,
  signal: RelayEventPayload<'session:signal'>['signal'],
): Outgoing[] {
  const event = 'session:signal';
  if (sender.role === 'host') {
    if (!session || session.hostConn !== sender.conn) return [notInSession(sender.conn, event, sessionId)];
    const slot = session.operator;
    if (!slot?.conn || slot.mode === null)
      return [error(sender.conn, 'forbidden', event, 'no admitted operator in this session')];
    return [{ to: slot.conn, event, payload: { sessionId, signal } }];
  }
  if (!session || !isCurrentOperator(session, sender.conn) || session.operator?.mode === null) {
    return [notInSession(sender.conn, event, sessionId)];
  }
  // While the host is away its peer renegotiates once it is back: nothing to forward to.
  return session.hostConn === null ? [] : [{ to: session.hostConn, event, payload: { sessionId, signal } }];
}

export function deviceAway(to: ConnId, event: string): Outgoing {
  return error(to, 'device-away', event, 'the device is reconnecting to the relay; try again in a moment');
}

/** How an operator's connection came into a session. */
export type ConnectionHow = 'consent' | 'password' | 'reconnect';
/** Who a session's change is about: the operator, the device (its host's connection, when in). */
export interface SessionParties {
  operator: OperatorIdentity;
  deviceName: string;
  hostConn: ConnId | null;
}

/**
 * Told by the session table of each change in a session's life that the audit trail records and
 * the console shows (audit/session-events.ts): the table is its only source, nothing reads it
 * back off the messages.
 */
export interface SessionObserver {
  /** The user is asked to let an operator in. */
  asked(sessionId: SessionId, parties: SessionParties): void;
  /** The user answered (or nobody did in time). */
  decided(sessionId: SessionId, result: 'allowed-control' | 'allowed-view' | 'declined' | 'timeout'): void;
  /** An admitted operator's connection is in the session. */
  connected(
    sessionId: SessionId,
    parties: SessionParties,
    connection: { how: ConnectionHow; mode: AccessMode; unattended: boolean },
  ): void;
  /** The admitted operator's connection is out of the session (it may come back: away), and why. */
  left(sessionId: SessionId, reason: EndReason): void;
  /** A request to the user is gone before the user answered. */
  withdrawn(sessionId: SessionId): void;
  /** The session itself is gone. */
  gone(sessionId: SessionId): void;
}

/** For tables whose sessions nobody follows (tests of other things). */
export const UNOBSERVED: SessionObserver = {
  asked: () => undefined,
  decided: () => undefined,
  connected: () => undefined,
  left: () => undefined,
  withdrawn: () => undefined,
  gone: () => undefined,
};

/** Tells `first` then `second` of every change (the lifecycle owner, then the audit). */
export function bothObservers(first: SessionObserver, second: SessionObserver): SessionObserver {
  return {
    asked: (...a) => (first.asked(...a), second.asked(...a)),
    decided: (...a) => (first.decided(...a), second.decided(...a)),
    connected: (...a) => (first.connected(...a), second.connected(...a)),
    left: (...a) => (first.left(...a), second.left(...a)),
    withdrawn: (...a) => (first.withdrawn(...a), second.withdrawn(...a)),
    gone: (...a) => (first.gone(...a), second.gone(...a)),
  };
}
