/**
 * The session state machine, free of socket.io: connections are opaque ids, and every input
 * returns the messages to deliver. One session per connected host; at most one operator in it,
 * first pending (waiting for the user's consent), then admitted with a mode.
 *
 * Identities given here must come from the relay's registry (the server passes what the
 * handshake verified), so nothing a client claims about itself ever reaches the other side.
 */
import { randomInt } from 'node:crypto';
import type {
  AccessMode,
  OperatorIdentity,
  RelayErrorCode,
  RelayEventName,
  RelayEventPayload,
  SessionId,
} from '../shared/protocol.js';
import type { ClientCommand } from './validate.js';

export type ConnId = string;

/** Who sent a command: the server knows the role from the verified handshake. */
export type Sender = { conn: ConnId; role: 'host' } | { conn: ConnId; role: 'operator'; operator: OperatorIdentity };

/** A message for the server to deliver, the payload typed by its event. */
export type Outgoing = {
  [E in RelayEventName]: { to: ConnId; event: E; payload: RelayEventPayload<E> };
}[RelayEventName];

interface OperatorSlot {
  conn: ConnId;
  identity: OperatorIdentity;
  /** null while pending; the user's choice once admitted. */
  mode: AccessMode | null;
}

interface Session {
  id: SessionId;
  hostConn: ConnId;
  deviceName: string;
  operator: OperatorSlot | null;
}

/** Nine digits without a leading zero, so the ID survives being pasted into a number field. */
export function randomSessionId(): SessionId {
  return String(randomInt(100_000_000, 1_000_000_000));
}

function error(to: ConnId, code: RelayErrorCode, event: string, message: string): Outgoing {
  return { to, event: 'relay:error', payload: { code, event, message } };
}

export class SessionTable {
  private readonly sessions = new Map<SessionId, Session>();
  private readonly sessionOfHost = new Map<ConnId, SessionId>();

  constructor(private readonly newSessionId: () => SessionId = randomSessionId) {}

  /** Live sessions (one per connected host). */
  get size(): number {
    return this.sessions.size;
  }

  /** Registers a newly connected host and returns its session ID, unique among live sessions. */
  openHost(conn: ConnId, deviceName: string): SessionId {
    let id = this.newSessionId();
    while (this.sessions.has(id)) id = this.newSessionId();
    this.sessions.set(id, { id, hostConn: conn, deviceName, operator: null });
    this.sessionOfHost.set(conn, id);
    return id;
  }

  handle(sender: Sender, command: ClientCommand): Outgoing[] {
    switch (command.event) {
      case 'session:join':
        return this.join(sender, command.payload.sessionId);
      case 'session:consent': {
        const { sessionId, decision, timedOut } = command.payload;
        return this.consent(sender, sessionId, decision === 'deny' ? { deny: timedOut ? 'consent-timeout' : 'declined' } : { mode: decision });
      }
      case 'session:mode':
        return this.mode(sender, command.payload.sessionId, command.payload.mode);
      case 'session:signal':
        return this.signal(sender, command.payload.sessionId, command.payload.signal);
      case 'session:end':
        return this.end(sender, command.payload.sessionId);
    }
  }

  /** A connection closed: tell whoever was in a session with it. */
  disconnect(sender: Sender): Outgoing[] {
    if (sender.role === 'host') {
      const id = this.sessionOfHost.get(sender.conn);
      const session = id === undefined ? undefined : this.sessions.get(id);
      if (!session) return [];
      this.sessions.delete(session.id);
      this.sessionOfHost.delete(sender.conn);
      return session.operator ? [ended(session.operator.conn, session.id, 'host-gone')] : [];
    }
    // Only sessions where this connection is still the operator's current one: a connection
    // replaced by a newer one from the same operator leaves without disturbing the session.
    const out: Outgoing[] = [];
    for (const session of this.sessions.values()) {
      if (session.operator?.conn !== sender.conn) continue;
      session.operator = null;
      out.push(ended(session.hostConn, session.id, 'operator-gone'));
    }
    return out;
  }

  private join(sender: Sender, sessionId: SessionId): Outgoing[] {
    const event = 'session:join';
    if (sender.role !== 'operator') return [error(sender.conn, 'forbidden', event, 'only operators join sessions')];
    const session = this.sessions.get(sessionId);
    if (!session) return [error(sender.conn, 'no-such-session', event, `no session ${sessionId} on this relay`)];
    const slot = session.operator;
    if (slot && slot.identity.id !== sender.operator.id) {
      return [error(sender.conn, 'session-busy', event, 'another operator is already in this session')];
    }
    if (!slot) {
      session.operator = { conn: sender.conn, identity: sender.operator, mode: null };
      return [
        { to: session.hostConn, event: 'session:join-request', payload: { sessionId, operator: sender.operator, deviceName: session.deviceName } },
        { to: sender.conn, event: 'session:waiting', payload: { sessionId, deviceName: session.deviceName } },
      ];
    }
    // The same operator again (typically its app reconnected): the new connection takes over,
    // keeping whatever the user already decided.
    const out: Outgoing[] = [];
    if (slot.conn !== sender.conn) out.push(ended(slot.conn, sessionId, 'replaced'));
    slot.conn = sender.conn;
    slot.identity = sender.operator;
    if (slot.mode === null) {
      out.push({ to: sender.conn, event: 'session:waiting', payload: { sessionId, deviceName: session.deviceName } });
    } else {
      out.push(
        { to: sender.conn, event: 'session:admitted', payload: { sessionId, mode: slot.mode } },
        // The old WebRTC peer died with the old connection; the host starts a fresh one.
        { to: session.hostConn, event: 'session:peer-reset', payload: { sessionId } },
      );
    }
    return out;
  }

  private consent(
    sender: Sender,
    sessionId: SessionId,
    answer: { mode: AccessMode } | { deny: 'declined' | 'consent-timeout' },
  ): Outgoing[] {
    const found = this.hostSession(sender, sessionId, 'session:consent');
    if ('refused' in found) return [found.refused];
    const slot = found.session.operator;
    if (!slot || slot.mode !== null) {
      return [error(sender.conn, 'forbidden', 'session:consent', 'no operator is waiting for consent in this session')];
    }
    if ('deny' in answer) {
      // The session stays open: the user may let someone (or the same operator) in later.
      found.session.operator = null;
      return [ended(slot.conn, sessionId, answer.deny)];
    }
    slot.mode = answer.mode;
    return [{ to: slot.conn, event: 'session:admitted', payload: { sessionId, mode: answer.mode } }];
  }

  private mode(sender: Sender, sessionId: SessionId, mode: AccessMode): Outgoing[] {
    const found = this.hostSession(sender, sessionId, 'session:mode');
    if ('refused' in found) return [found.refused];
    const slot = found.session.operator;
    if (!slot || slot.mode === null) {
      return [error(sender.conn, 'forbidden', 'session:mode', 'no admitted operator in this session')];
    }
    slot.mode = mode;
    return [{ to: slot.conn, event: 'session:mode', payload: { sessionId, mode } }];
  }

  private signal(sender: Sender, sessionId: SessionId, signal: RelayEventPayload<'session:signal'>['signal']): Outgoing[] {
    const event = 'session:signal';
    const session = this.sessions.get(sessionId);
    if (sender.role === 'host') {
      if (!session || session.hostConn !== sender.conn) return [notInSession(sender.conn, event, sessionId)];
      const slot = session.operator;
      if (!slot || slot.mode === null) return [error(sender.conn, 'forbidden', event, 'no admitted operator in this session')];
      return [{ to: slot.conn, event, payload: { sessionId, signal } }];
    }
    // A pending operator has no consent yet: it may not reach the host's peer.
    if (!session || !isCurrentOperator(session, sender.conn) || session.operator?.mode === null) {
      return [notInSession(sender.conn, event, sessionId)];
    }
    return [{ to: session.hostConn, event, payload: { sessionId, signal } }];
  }

  private end(sender: Sender, sessionId: SessionId): Outgoing[] {
    const session = this.sessions.get(sessionId);
    if (sender.role === 'host') {
      if (!session || session.hostConn !== sender.conn) return [notInSession(sender.conn, 'session:end', sessionId)];
      const slot = session.operator;
      // Ending with nobody in the session already is the state asked for: not an error.
      if (!slot) return [];
      session.operator = null;
      return [ended(slot.conn, sessionId, 'user-ended')];
    }
    // A pending operator may withdraw its request; the host then drops its consent prompt.
    if (!session || !isCurrentOperator(session, sender.conn)) return [notInSession(sender.conn, 'session:end', sessionId)];
    session.operator = null;
    return [ended(session.hostConn, sessionId, 'operator-left')];
  }

  /**
   * For events only a session's host may send. Naming a session the sender is not part of is
   * not-in-session; the admitted operator sending a host-only event is forbidden.
   */
  private hostSession(sender: Sender, sessionId: SessionId, event: string): { session: Session } | { refused: Outgoing } {
    const session = this.sessions.get(sessionId);
    if (sender.role === 'host') {
      return session && session.hostConn === sender.conn ? { session } : { refused: notInSession(sender.conn, event, sessionId) };
    }
    if (session && isCurrentOperator(session, sender.conn) && session.operator?.mode !== null) {
      return { refused: error(sender.conn, 'forbidden', event, `only the device may send ${event}`) };
    }
    return { refused: notInSession(sender.conn, event, sessionId) };
  }
}

function isCurrentOperator(session: Session, conn: ConnId): boolean {
  return session.operator?.conn === conn;
}

function notInSession(to: ConnId, event: string, sessionId: SessionId): Outgoing {
  return error(to, 'not-in-session', event, `not part of session ${sessionId}`);
}

function ended(to: ConnId, sessionId: SessionId, reason: RelayEventPayload<'session:ended'>['reason']): Outgoing {
  return { to, event: 'session:ended', payload: { sessionId, reason } };
}
