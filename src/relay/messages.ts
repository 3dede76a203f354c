/**
 * What the relay's logic hands the server to deliver, free of socket.io: connections are opaque
 * ids and every message is typed by its event.
 */
import type {
  OperatorIdentity,
  RelayErrorCode,
  RelayEventName,
  RelayEventPayload,
  SessionId,
} from '../shared/protocol.js';

export type ConnId = string;

/** Who sent a command: the server knows the role (and enrolled device) from the verified handshake. */
export type Sender = { conn: ConnId; role: 'host'; deviceId?: string } | OperatorSender;
export type OperatorSender = { conn: ConnId; role: 'operator'; operator: OperatorIdentity };

/** A message for the server to deliver, the payload typed by its event. */
export type Outgoing = {
  [E in RelayEventName]: { to: ConnId; event: E; payload: RelayEventPayload<E> };
}[RelayEventName];

type ErrorDetails = Pick<RelayEventPayload<'relay:error'>, 'attemptsLeft' | 'retryAfterMs' | 'endReason'>;

export function relayError(
  to: ConnId,
  code: RelayErrorCode,
  event: string,
  message: string,
  details: ErrorDetails = {},
): Outgoing {
  return { to, event: 'relay:error', payload: { code, event, message, ...details } };
}

export function ended(
  to: ConnId,
  sessionId: SessionId,
  reason: RelayEventPayload<'session:ended'>['reason'],
): Outgoing {
  return { to, event: 'session:ended', payload: { sessionId, reason } };
}
