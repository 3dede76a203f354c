/**
 * The session state machine, free of socket.io: connections are opaque ids, and every input
 * returns the messages to deliver. One session per connected host; at most one operator in it,
 * first pending (waiting for the user's consent), then admitted with a mode.
 *
 * A host may instead be in an assistance's session (prepareAssistance): one entered only through
 * its activation file (openAttended, admitUnattended), never by ID, and whose two sides survive
 * a dropped connection as "away": the admitted operator until it resumes or the assistance
 * expires, the host until it comes back with its resume token (hostBack) or its grace period
 * ends. A host that closed its connection on purpose (flxra was quit) is gone, not away. The
 * table tells the assistance layer what happens to those sessions through AssistanceHooks.
 *
 * Identities given here come from the relay's registry (what the handshake verified): nothing a
 * client claims about itself reaches the other side.
 *
 * The types, the hooks' contract and the pure rules are in session-model.ts; how an operator
 * comes into one session (consent asked and given, password, back after a drop) is admission.ts.
 * The table keeps the bookkeeping across sessions (which host connection is where) and the
 * transitions both kinds of session share: mode, signal, end, disconnect, away and back.
 */
import type { AccessMode, AssistanceMode, EndReason, OperatorIdentity, SessionId } from '../shared/protocol.js';
import {
  ended,
  relayError as error,
  type ConnId,
  type OperatorSender,
  type Outgoing,
  type Sender,
} from './messages.js';
import {
  hostEventSession,
  isCurrentOperator,
  notInSession,
  randomSessionId,
  routeSignal,
  UNOBSERVED,
  type AssistanceHooks,
  type AssistancePreparation,
  type OperatorSlot,
  type Session,
  type SessionCommand,
  type SessionObserver,
} from './session-model.js';
import {
  admitByPassword,
  decideConsent,
  joinRequest,
  readmit,
  requestConsent,
  type ConsentDenial,
} from './admission.js';

export { randomSessionId } from './session-model.js';

export class SessionTable {
  private readonly sessions = new Map<SessionId, Session>();
  private readonly sessionOfHost = new Map<ConnId, SessionId>();

  /** `hooks` are needed only once assistance sessions are prepared. */
  constructor(
    private readonly newSessionId: () => SessionId = randomSessionId,
    private readonly hooks: AssistanceHooks | null = null,
    /** Told of each change the audit trail and the console follow. */
    private readonly observer: SessionObserver = UNOBSERVED,
  ) {}

  /** Live sessions (one per connected host). */
  get size(): number {
    return this.sessions.size;
  }

  /** A session ID unique among live sessions. */
  freeSessionId(): SessionId {
    let id = this.newSessionId();
    while (this.sessions.has(id)) id = this.newSessionId();
    return id;
  }

  /** Registers a newly connected host and returns its session ID, unique among live sessions. */
  openHost(conn: ConnId, deviceName: string): SessionId {
    const id = this.freeSessionId();
    this.sessions.set(id, { id, hostConn: conn, deviceName, operator: null, assistance: null });
    this.sessionOfHost.set(conn, id);
    return id;
  }

  /** An assistance's connections: its admitted operator's (null while pending or away) and its host's. */
  parties(sessionId: SessionId): { operatorConn: ConnId | null; hostConn: ConnId | null } | null {
    const session = this.sessions.get(sessionId);
    if (!session) return null;
    const admitted = session.operator?.mode != null ? session.operator.conn : null;
    return { operatorConn: admitted, hostConn: session.hostConn };
  }

  /** One session as it is now (the clipboard's, the chat's and the secure desktop's relays read who is in it). */
  session(sessionId: SessionId): Readonly<Session> | null {
    return this.sessions.get(sessionId) ?? null;
  }

  /** Whether an operator is in the host's session (waiting, admitted, or away after a drop). */
  hostOccupied(conn: ConnId): boolean {
    const id = this.sessionOfHost.get(conn);
    return id !== undefined && this.sessions.get(id)?.operator != null;
  }

  /** Whether an assistance's host is away (its connection dropped and it has not come back yet). */
  hostAway(sessionId: SessionId): boolean {
    const session = this.sessions.get(sessionId);
    return session?.assistance != null && session.hostConn === null;
  }

  /** The assistance session the host is in, if it is in one. */
  assistanceOfHost(conn: ConnId): SessionId | null {
    const id = this.sessionOfHost.get(conn);
    return id !== undefined && this.sessions.get(id)?.assistance ? id : null;
  }

  /**
   * Moves a host into an assistance's session, under the ID the assistance was issued with. The
   * host's previous session (its own, or an earlier assistance's) must have no operator in it:
   * it is dropped without a word, and the host learns its new ID from assistance:prepared.
   */
  prepareAssistance(hostConn: ConnId, assistance: AssistancePreparation): Outgoing[] {
    if (!this.hooks) throw new Error('assistance sessions need the assistance hooks');
    if (this.hostOccupied(hostConn)) throw new Error('the host is busy with an operator');
    const { sessionId, mode, operator, deviceName, audio, hostResumeToken } = assistance;
    if (this.sessions.has(sessionId)) throw new Error(`session ${sessionId} exists already`);
    const previous = this.sessionOfHost.get(hostConn);
    if (previous !== undefined) {
      this.sessions.delete(previous);
      this.observer.gone(previous);
    }
    this.sessions.set(sessionId, { id: sessionId, hostConn, deviceName, operator: null, assistance: mode });
    this.sessionOfHost.set(hostConn, sessionId);
    return [
      { to: hostConn, event: 'assistance:prepared', payload: { sessionId, mode, operator, audio, hostResumeToken } },
    ];
  }

  /**
   * An assistance's host back from a dropped connection (the caller checked its resume token):
   * it takes its place again, and the operator, if one is in, is told. A connection of its still
   * open (half-open: the relay had not noticed the drop) gives way, as an operator's does: the
   * caller closes it. Null when the session is not there any more.
   */
  hostBack(conn: ConnId, sessionId: SessionId): { out: Outgoing[]; replaced: ConnId | null } | null {
    const session = this.sessions.get(sessionId);
    if (!session?.assistance) return null;
    const replaced = session.hostConn !== null && session.hostConn !== conn ? session.hostConn : null;
    if (replaced !== null) this.sessionOfHost.delete(replaced);
    const wasAway = session.hostConn === null;
    session.hostConn = conn;
    this.sessionOfHost.set(conn, sessionId);
    this.assistanceHooks().hostBack(sessionId);
    const out: Outgoing[] = [{ to: conn, event: 'host:resumed', payload: { sessionId } }];
    const slot = session.operator;
    if (wasAway && slot?.conn) {
      out.push({ to: slot.conn, event: 'session:back', payload: { sessionId, side: 'host' } });
      // An operator that opened the file while the device was away: the user is asked now.
      if (slot.mode === null) out.push(joinRequest(conn, session, slot.identity));
    }
    return { out, replaced };
  }

  /**
   * An assistance carried over a relay restart: its session as it was, both sides away until
   * they come back (the host with its resume token, the admitted operator with its own). An
   * operator that was only waiting for consent is not kept: its app opens the file again.
   */
  restore(entry: {
    sessionId: SessionId;
    mode: AssistanceMode;
    deviceName: string;
    operator: { identity: OperatorIdentity; mode: AccessMode } | null;
  }): void {
    const { sessionId, mode, deviceName, operator } = entry;
    if (this.sessions.has(sessionId)) throw new Error(`session ${sessionId} exists already`);
    this.sessions.set(sessionId, {
      id: sessionId,
      hostConn: null,
      deviceName,
      operator: operator && { conn: null, identity: operator.identity, mode: operator.mode },
      assistance: mode,
    });
  }

  handle(sender: Sender, command: SessionCommand): Outgoing[] {
    switch (command.event) {
      case 'session:join':
        return this.join(sender, command.payload.sessionId);
      case 'session:consent': {
        const { sessionId, decision, timedOut, browserRefused } = command.payload;
        const deny = browserRefused ? 'browser-refused' : timedOut ? 'consent-timeout' : 'declined';
        return this.consent(sender, sessionId, decision === 'deny' ? { deny } : { mode: decision });
      }
      case 'session:mode':
        return this.mode(sender, command.payload.sessionId, command.payload.mode);
      case 'session:signal':
        return routeSignal(
          this.sessions.get(command.payload.sessionId),
          sender,
          command.payload.sessionId,
          command.payload.signal,
        );
      case 'session:end':
        return this.end(sender, command.payload.sessionId);
    }
  }

  /** An attended assistance's operator opened its file: the host is asked for consent, as for a join. */
  openAttended(sender: OperatorSender, sessionId: SessionId): Outgoing[] {
    const session = this.sessions.get(sessionId);
    if (!session?.assistance)
      return [error(sender.conn, 'no-such-session', 'assistance:open', `no session ${sessionId} on this relay`)];
    return this.requestConsent(sender, session, 'assistance:open');
  }

  /**
   * An unattended assistance's operator gave the right password: admitted with control, no
   * consent. Null when the session has no room for it (gone, or someone in it already).
   */
  admitUnattended(sender: OperatorSender, sessionId: SessionId, resumeToken: string): Outgoing[] | null {
    const session = this.sessions.get(sessionId);
    if (!session?.assistance) return null;
    return admitByPassword(session, sender, resumeToken, this.observer);
  }

  /**
   * Puts an assistance's admitted operator back in from a new connection (the caller checked
   * its resume token): admitted again in the mode it had, and the host starts a fresh peer.
   * Null when this operator has no admission in the session to resume.
   */
  resume(sender: OperatorSender, sessionId: SessionId): Outgoing[] | null {
    const session = this.sessions.get(sessionId);
    return session?.assistance ? readmit(session, sender, this.observer) : null;
  }

  /**
   * An assistance is over: its session goes; the host (unless away) and an operator still in it get
   * session:ended, or the host assistance:expired when its time ran out (its service stops). The
   * only caller is finish(), which also ends it in the store, the hub and the audit trail.
   */
  endAssistance(sessionId: SessionId, reason: EndReason): Outgoing[] {
    const session = this.sessions.get(sessionId);
    if (!session?.assistance) return [];
    this.forget(session);
    this.operatorOut(session, reason);
    this.observer.gone(sessionId);
    const out: Outgoing[] = [];
    if (session.hostConn !== null)
      out.push(
        reason === 'expired'
          ? { to: session.hostConn, event: 'assistance:expired', payload: { sessionId } }
          : ended(session.hostConn, sessionId, reason),
      );
    if (session.operator?.conn) out.push(ended(session.operator.conn, sessionId, reason));
    return out;
  }

  /** The relay puts a plain session's operator out (a required recording stopped): both told; the host stays. */
  dropOperator(sessionId: SessionId, reason: EndReason): Outgoing[] {
    const session = this.sessions.get(sessionId);
    const slot = session?.operator;
    if (!session || session.assistance || !slot) return [];
    this.operatorOut(session, reason);
    session.operator = null;
    return [session.hostConn, slot.conn].filter((c) => c !== null).map((c) => ended(c, sessionId, reason));
  }

  /**
   * A connection closed: tell whoever was in a session with it. `onPurpose` is a host that
   * closed its own connection (flxra was quit): its assistance ends at once; any other close
   * of an assistance's host (a network drop, a killed process) leaves it away for its grace.
   */
  disconnect(sender: Sender, onPurpose = false): Outgoing[] {
    if (sender.role === 'host') {
      const id = this.sessionOfHost.get(sender.conn);
      const session = id === undefined ? undefined : this.sessions.get(id);
      if (!session) return [];
      this.sessionOfHost.delete(sender.conn);
      if (session.assistance && onPurpose) {
        session.hostConn = null; // closed: nothing more is sent to it
        return this.assistanceHooks().hostGone(session.id);
      }
      if (session.assistance) {
        session.hostConn = null;
        this.assistanceHooks().hostAway(session.id);
        const conn = session.operator?.conn;
        return conn ? [{ to: conn, event: 'session:away', payload: { sessionId: session.id, side: 'host' } }] : [];
      }
      this.sessions.delete(session.id);
      this.operatorOut(session, 'host-gone');
      this.observer.gone(session.id);
      const conn = session.operator?.conn;
      return conn ? [ended(conn, session.id, 'host-gone')] : [];
    }
    // Only sessions where this connection is still the operator's current one: a connection
    // replaced by a newer one from the same operator leaves without disturbing the session.
    const out: Outgoing[] = [];
    for (const session of this.sessions.values()) {
      const slot = session.operator;
      if (slot?.conn !== sender.conn) continue;
      if (session.assistance && slot.mode !== null) {
        // Away, not gone: the host keeps its state and gets peer-reset if the operator resumes.
        slot.conn = null;
        this.observer.left(session.id, 'operator-gone');
        this.assistanceHooks().released(session.id, true);
        continue;
      }
      this.operatorOut(session, 'operator-gone');
      session.operator = null;
      if (session.hostConn !== null) out.push(ended(session.hostConn, session.id, 'operator-gone'));
    }
    return out;
  }

  /**
   * The session's operator is out for `reason`: an admitted one's connection ends, a request
   * still waiting for the user is withdrawn (the observer is told which).
   */
  private operatorOut(session: Session, reason: EndReason): void {
    const slot = session.operator;
    if (!slot) return;
    if (slot.mode === null) this.observer.withdrawn(session.id);
    else if (slot.conn !== null) this.observer.left(session.id, reason);
  }

  /** Removes a session and its host's entry (if the host is connected). */
  private forget(session: Session): void {
    this.sessions.delete(session.id);
    if (session.hostConn !== null) this.sessionOfHost.delete(session.hostConn);
  }

  private join(sender: Sender, sessionId: SessionId): Outgoing[] {
    const event = 'session:join';
    if (sender.role !== 'operator') return [error(sender.conn, 'forbidden', event, 'only operators join sessions')];
    const session = this.sessions.get(sessionId);
    if (!session) return [error(sender.conn, 'no-such-session', event, `no session ${sessionId} on this relay`)];
    if (session.assistance)
      return [error(sender.conn, 'forbidden', event, 'this session is entered with its activation file only')];
    // The operator in the browser opens assistances of enrolled devices only, where the policy decides (opening.ts).
    if (sender.operator.via === 'browser')
      return [error(sender.conn, 'forbidden', event, 'in the browser, open an assistance from the console instead')];
    return this.requestConsent(sender, session, event);
  }

  private requestConsent(sender: OperatorSender, session: Session, event: string): Outgoing[] {
    return requestConsent(session, sender, event, this.observer);
  }

  private consent(
    sender: Sender,
    sessionId: SessionId,
    answer: { mode: AccessMode } | { deny: ConsentDenial },
  ): Outgoing[] {
    const found = hostEventSession(this.sessions.get(sessionId), sender, sessionId, 'session:consent');
    if ('refused' in found) return [found.refused];
    const { session } = found;
    const admitted = (mode: AccessMode) => this.assistanceHooks().admittedByConsent(sessionId, mode);
    return decideConsent(session, sender.conn, answer, session.assistance ? admitted : null, this.observer);
  }

  private mode(sender: Sender, sessionId: SessionId, mode: AccessMode): Outgoing[] {
    const found = hostEventSession(this.sessions.get(sessionId), sender, sessionId, 'session:mode');
    if ('refused' in found) return [found.refused];
    const slot = found.session.operator;
    if (!slot || slot.mode === null) {
      return [error(sender.conn, 'forbidden', 'session:mode', 'no admitted operator in this session')];
    }
    slot.mode = mode;
    if (found.session.assistance) this.assistanceHooks().modeChanged(sessionId, mode);
    // An away operator gets the mode with its resumption.
    return slot.conn ? [{ to: slot.conn, event: 'session:mode', payload: { sessionId, mode } }] : [];
  }

  private end(sender: Sender, sessionId: SessionId): Outgoing[] {
    const session = this.sessions.get(sessionId);
    if (sender.role === 'host') {
      if (!session || session.hostConn !== sender.conn) return [notInSession(sender.conn, 'session:end', sessionId)];
      const slot = session.operator;
      // Ending with nobody in the session already is the state asked for: not an error.
      if (!slot) return [];
      this.operatorOut(session, 'user-ended');
      session.operator = null;
      this.releaseOnPurpose(session, slot);
      return slot.conn ? [ended(slot.conn, sessionId, 'user-ended')] : [];
    }
    // A pending operator may withdraw its request; the host then drops its consent prompt.
    if (!session || !isCurrentOperator(session, sender.conn))
      return [notInSession(sender.conn, 'session:end', sessionId)];
    const slot = session.operator!;
    this.operatorOut(session, 'operator-left');
    session.operator = null;
    this.releaseOnPurpose(session, slot);
    return session.hostConn === null ? [] : [ended(session.hostConn, sessionId, 'operator-left')];
  }

  /** Someone ended an assistance on purpose: no resuming into it without the user's or operator's say. */
  private releaseOnPurpose(session: Session, slot: OperatorSlot): void {
    if (session.assistance && slot.mode !== null) this.assistanceHooks().released(session.id, false);
  }

  private assistanceHooks(): AssistanceHooks {
    if (!this.hooks) throw new Error('assistance sessions need the assistance hooks');
    return this.hooks;
  }
}
