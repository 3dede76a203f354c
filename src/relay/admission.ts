/**
 * How an operator comes into one session: asked for the user's consent (by ID or an attended
 * assistance's file), admitted by the user's answer or, unattended, by the right password, and
 * back in after its own drop. Each works on one session's operator slot and returns the messages
 * to deliver; the table (sessions.ts) finds the session, checks who may ask, and keeps the
 * connection bookkeeping. The observer (the audit trail, the console) hears of each change.
 */
import type { AccessMode, OperatorIdentity } from '../shared/protocol.js';
import { ended, relayError as error, type ConnId, type OperatorSender, type Outgoing } from './messages.js';
import type { Session, SessionObserver, SessionParties } from './session-model.js';

/** Why the device said no: the user's Deny, nobody answering, or the device refusing an operator in the browser. */
export type ConsentDenial = 'declined' | 'consent-timeout' | 'browser-refused';

export function joinRequest(hostConn: ConnId, session: Session, operator: OperatorIdentity): Outgoing {
  return {
    to: hostConn,
    event: 'session:join-request',
    payload: { sessionId: session.id, operator, deviceName: session.deviceName },
  };
}

function parties(session: Session, operator: OperatorIdentity): SessionParties {
  return { operator, deviceName: session.deviceName, hostConn: session.hostConn };
}

/**
 * An operator asks to come in. A new request asks the user (once the device is back, if it is
 * away); the same operator again takes over from its new connection, keeping what the user
 * decided; another operator is refused while one is in.
 */
export function requestConsent(
  session: Session,
  sender: OperatorSender,
  event: string,
  observer: SessionObserver,
): Outgoing[] {
  const sessionId = session.id;
  const hostConn = session.hostConn;
  const slot = session.operator;
  if (slot && slot.identity.id !== sender.operator.id) {
    return [error(sender.conn, 'session-busy', event, 'another operator is already in this session')];
  }
  const waiting: Outgoing = {
    to: sender.conn,
    event: 'session:waiting',
    payload: { sessionId, deviceName: session.deviceName },
  };
  if (!slot) {
    session.operator = { conn: sender.conn, identity: sender.operator, mode: null };
    observer.asked(sessionId, parties(session, sender.operator));
    // A device away (reconnecting) is asked once it is back (SessionTable.hostBack); the operator is told why it waits.
    if (hostConn === null)
      return [waiting, { to: sender.conn, event: 'session:away', payload: { sessionId, side: 'host' } }];
    return [joinRequest(hostConn, session, sender.operator), waiting];
  }
  // The same operator again (typically its app reconnected): the new connection takes over.
  const out: Outgoing[] = [];
  const replaced = slot.conn !== null && slot.conn !== sender.conn;
  if (replaced) out.push(ended(slot.conn!, sessionId, 'replaced'));
  slot.conn = sender.conn;
  slot.identity = sender.operator;
  // A request still waiting carries on from the new connection.
  if (slot.mode === null) return [...out, waiting];
  if (replaced) observer.left(sessionId, 'replaced');
  observer.connected(sessionId, parties(session, sender.operator), {
    how: 'reconnect',
    mode: slot.mode,
    unattended: false,
  });
  out.push({ to: sender.conn, event: 'session:admitted', payload: { sessionId, mode: slot.mode } });
  // The old WebRTC peer died with the old connection; the host starts a fresh one (once back, if away).
  if (hostConn !== null) out.push({ to: hostConn, event: 'session:peer-reset', payload: { sessionId } });
  return out;
}

/**
 * The user's answer to the waiting operator (the caller checked it came from the session's
 * host). Allowed, the operator is admitted with the mode chosen (and, in an assistance, the
 * resume token `admitted` issues); denied, it is told, and the session stays open.
 */
export function decideConsent(
  session: Session,
  from: ConnId,
  answer: { mode: AccessMode } | { deny: ConsentDenial },
  admitted: ((mode: AccessMode) => string) | null,
  observer: SessionObserver,
): Outgoing[] {
  const sessionId = session.id;
  const slot = session.operator;
  if (!slot?.conn || slot.mode !== null) {
    return [error(from, 'forbidden', 'session:consent', 'no operator is waiting for consent in this session')];
  }
  if ('deny' in answer) {
    // The session stays open: the user may let someone (or the same operator) in later.
    session.operator = null;
    observer.decided(sessionId, answer.deny === 'consent-timeout' ? 'timeout' : 'declined');
    return [ended(slot.conn, sessionId, answer.deny)];
  }
  slot.mode = answer.mode;
  observer.decided(sessionId, `allowed-${answer.mode}`);
  observer.connected(sessionId, parties(session, slot.identity), {
    how: 'consent',
    mode: answer.mode,
    unattended: false,
  });
  const resume = admitted ? { resumeToken: admitted(answer.mode) } : {};
  return [{ to: slot.conn, event: 'session:admitted', payload: { sessionId, mode: answer.mode, ...resume } }];
}

/**
 * An unattended assistance's operator gave the right password: admitted with control, no
 * consent, and the host shows its banner. Null when there is no room (someone in it already)
 * or no device to show the banner on (away).
 */
export function admitByPassword(
  session: Session,
  sender: OperatorSender,
  resumeToken: string,
  observer: SessionObserver,
): Outgoing[] | null {
  if (session.operator || session.hostConn === null) return null;
  const sessionId = session.id;
  session.operator = { conn: sender.conn, identity: sender.operator, mode: 'control' };
  observer.connected(sessionId, parties(session, sender.operator), {
    how: 'password',
    mode: 'control',
    unattended: true,
  });
  return [
    {
      to: sender.conn,
      event: 'session:admitted',
      payload: { sessionId, mode: 'control', unattended: true, resumeToken },
    },
    { to: session.hostConn, event: 'session:unattended-start', payload: { sessionId, operator: sender.operator } },
  ];
}

/**
 * An assistance's admitted operator back from a new connection (the caller checked its resume
 * token): admitted again in the mode it had, and the host starts a fresh peer (once it is back,
 * if it is away itself). Null when this operator has no admission here to resume.
 */
export function readmit(session: Session, sender: OperatorSender, observer: SessionObserver): Outgoing[] | null {
  const sessionId = session.id;
  const slot = session.operator;
  if (!slot || slot.mode === null || slot.identity.id !== sender.operator.id) return null;
  const out: Outgoing[] = [];
  // A connection that is not dead yet (half-open) gives way to the new one.
  if (slot.conn !== null && slot.conn !== sender.conn) {
    out.push(ended(slot.conn, sessionId, 'replaced'));
    observer.left(sessionId, 'replaced');
  }
  slot.conn = sender.conn;
  slot.identity = sender.operator;
  const unattended = session.assistance === 'unattended';
  observer.connected(sessionId, parties(session, sender.operator), { how: 'reconnect', mode: slot.mode, unattended });
  out.push({
    to: sender.conn,
    event: 'session:admitted',
    payload: { sessionId, mode: slot.mode, ...(unattended ? { unattended: true } : {}) },
  });
  if (session.hostConn !== null)
    out.push({ to: session.hostConn, event: 'session:peer-reset', payload: { sessionId } });
  else out.push({ to: sender.conn, event: 'session:away', payload: { sessionId, side: 'host' } });
  return out;
}
