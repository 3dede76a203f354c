/**
 * The relay protocol: every socket.io event between a device (host), an operator's app and the
 * relay, with the runtime schema the receiving side validates it against. The relay trusts
 * nothing a client sends; clients trust only what the relay vouches for.
 */
import { z } from 'zod';
import { IceConfig } from './ice.js';
import { Name } from './names.js';
import { ToolEvent, ToolId, ToolKind, ToolRequest, ToolsAvailable } from './tools-protocol.js';
import { UserSessionList } from './user-sessions.js';
import {
  ChatMessage,
  ChatRefused,
  ChatText,
  ClipboardReport,
  FeatureReport,
  SessionFeatures,
} from './assist-protocol.js';
import { FilesReport } from './file-transfer.js';
import { SecureDesktopInput } from './secure-desktop-input.js';
import { SecureDesktopFrame, SecureDesktopUp } from './secure-desktop-stream.js';

/** Nine digits, shown to people as "123 456 789". */
export const SessionId = z.string().regex(/^\d{9}$/, 'a session ID is nine digits');
export type SessionId = z.infer<typeof SessionId>;

/** Who an operator is, as the relay states it from its registry (never as the client claims). */
export const OperatorIdentity = z.object({
  id: z.string().min(1).max(64),
  name: Name,
  organisation: Name,
  /**
   * Set by the relay for an operator connected through the viewer page the relay itself serves
   * (/console/operator/, signed in through the console): the consent window says so, the audit
   * records it, and a device that requires the verification words refuses it.
   */
  via: z.literal('browser').optional(),
});
export type OperatorIdentity = z.infer<typeof OperatorIdentity>;

/** What the user allowed. `view` drops every input event on the host. */
export const AccessMode = z.enum(['control', 'view']);
export type AccessMode = z.infer<typeof AccessMode>;

export const ConsentDecision = z.enum(['control', 'view', 'deny']);

/** What an operator may request; dynamic is resolved by the relay into one of the other two. */
export const RequestedMode = z.enum(['attended', 'unattended', 'dynamic']);
export type RequestedMode = z.infer<typeof RequestedMode>;
export const AssistanceMode = z.enum(['attended', 'unattended']);
export type AssistanceMode = z.infer<typeof AssistanceMode>;
export type ConsentDecision = z.infer<typeof ConsentDecision>;

/**
 * simple-peer's signal payloads (offer/answer SDP, trickled candidates, renegotiation and
 * transceiver requests). Kept loose on purpose: the relay forwards them, the peer validates.
 * Bounded in size so that a client cannot use the relay to flood its peer.
 */
export const PeerSignal = z
  .object({
    type: z.string().max(32).optional(),
    sdp: z.string().max(64_000).optional(),
    candidate: z.unknown().optional(),
    renegotiate: z.boolean().optional(),
    transceiverRequest: z.unknown().optional(),
  })
  .refine((s) => JSON.stringify(s).length <= 80_000, 'signal too large');
export type PeerSignal = z.infer<typeof PeerSignal>;

/** Why a session (or a request to join one) ended, each with its own message to people. */
export const EndReason = z.enum([
  'user-ended', // the user pressed End session on the device
  'operator-left', // the operator closed the session
  'declined', // the user pressed Deny
  'consent-timeout', // nobody answered the consent window in time
  'host-gone', // the device disconnected from the relay
  'operator-gone', // the operator's app disconnected from the relay
  'replaced', // the same operator joined again from another connection
  'expired', // the assistance's time ran out (15 minutes after the connection ended, by default)
  'agent-restarted', // the device's agent, which started the host, lost its connection to the relay
  'policy-changed', // an administrator changed the policy so that the device may have no assistance at all
  'operator-revoked', // an administrator removed the operator's access
  'device-removed', // an administrator removed the device from the relay
  'host-lost', // the device lost its connection to the relay and did not come back within the grace period
  'host-closed', // flxra was closed on the device (its process ended), not a network drop
  'host-failed', // the device could not start the assistance's host
  'superseded', // a new assistance was requested for the device before anyone was in this one
  'ended-by-admin', // an administrator ended it from the console's Assistances page
  'relay-restarted', // the relay restarted and the device's side of it did not come back (its agent, its host)
  'request-declined', // the user pressed Decline on the request notice, before any operator was let in
  'recording-failed', // the policy requires recording and no chunk of it reached the relay for 30 s
  'browser-refused', // the device requires the verification words and so refuses operators in the browser
]);
export type EndReason = z.infer<typeof EndReason>;

/**
 * A JWS in compact form, in canonical base64url: three parts of the URL-safe alphabet only. Base64
 * decoders skip what is not in it (a space, a line break), so without this the same signed file
 * could be presented in many spellings.
 */
/** (At most 16 KiB: an activation file is a few hundred bytes.) */
export const ActivationToken = z
  .string()
  .min(1)
  .max(16 * 1024)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'not a compact JWS in base64url');

/** How a client introduces itself in the socket.io handshake (`auth`). */
export const HandshakeAuth = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('host'),
    deviceName: Name,
    /** A device enrolled with the relay; without it the host is an anonymous, attended-only one. */
    deviceToken: z.string().min(1).max(512).optional(),
    /** A host the device's agent started for one assistance: the one-time token the relay gave the agent. */
    hostToken: z.string().min(16).max(512).optional(),
    /**
     * Back after a dropped connection, into the assistance it was in: the host resume token from
     * assistance:prepared (kept in memory by the host only). Instead of the tokens above.
     */
    resume: z.object({ sessionId: SessionId, token: z.string().min(16).max(256) }).optional(),
  }),
  z.object({ role: z.literal('operator'), token: z.string().min(1).max(512) }),
  /** The operator viewer the relay serves, with a one-time ticket from its console session (browser-tickets.ts). */
  z.object({ role: z.literal('browser-operator'), ticket: z.string().min(16).max(512) }),
]);
export type HandshakeAuth = z.infer<typeof HandshakeAuth>;

/**
 * Why the relay refused a connection in the socket.io handshake (either namespace). It travels
 * as the `data` of socket.io's connect_error; clients act on the code, parsed with this schema,
 * and show or log the message (worded for people, never carrying the credential).
 */
export const ConnectRefusalCode = z.enum([
  'unauthorized', // the auth is malformed, or its credential invalid, revoked or used: retrying cannot help
  'unavailable', // the relay could not check the credential just now: try again later
]);
export type ConnectRefusalCode = z.infer<typeof ConnectRefusalCode>;
export const ConnectRefusal = z.object({ code: ConnectRefusalCode, message: z.string().max(500) });
export type ConnectRefusal = z.infer<typeof ConnectRefusal>;

/**
 * The error a relay's handshake middleware refuses with. Its message keeps the wording relays
 * always sent ("unauthorized: …"), for logs and for clients older than the code.
 */
export function connectRefusalError(code: ConnectRefusalCode, message: string): Error & { data: ConnectRefusal } {
  return Object.assign(new Error(`${code}: ${message}`), { data: { code, message } });
}

/** The relay's refusal in a connect_error, or null when the error is not one (network, timeout, malformed). */
export function readConnectRefusal(err: unknown): ConnectRefusal | null {
  const parsed = ConnectRefusal.safeParse((err as { data?: unknown } | null)?.data);
  return parsed.success ? parsed.data : null;
}

/** What the operator attaches to an assistance (viewer toolbar): the help desk's ticket number and free notes. */
export const AssistanceNotes = z.object({
  ticket: z.string().trim().max(64),
  notes: z.string().max(4000),
});
export type AssistanceNotes = z.infer<typeof AssistanceNotes>;

/** Events a client sends to the relay, with their payload schemas. */
export const clientEvents = {
  /** operator → relay: ask to join a session; the relay asks the host for consent. */
  'session:join': z.object({ sessionId: SessionId }),
  /** host → relay: the user's answer to a join request (or the automatic deny). */
  'session:consent': z.object({
    sessionId: SessionId,
    decision: ConsentDecision,
    timedOut: z.boolean().default(false),
    /** A deny by the device itself: it requires the verification words and the operator is in the browser. */
    browserRefused: z.literal(true).optional(),
  }),
  /** host → relay: the user switched between view-only and control. */
  'session:mode': z.object({ sessionId: SessionId, mode: AccessMode }),
  /** either side → relay: a WebRTC signal for the other side of the session. */
  'session:signal': z.object({ sessionId: SessionId, signal: PeerSignal }),
  /** admitted operator → relay → host: ask the user, in the indicator, for control (view only now). */
  'session:request-control': z.object({ sessionId: SessionId }),
  /** admitted operator → relay: the help desk's ticket number and the operator's notes, kept in the audit trail. */
  'session:notes': z.object({ sessionId: SessionId, notes: AssistanceNotes }),
  /** either side → relay: end the session (the user's End, or the operator leaving). */
  'session:end': z.object({ sessionId: SessionId }),
  /** operator → relay: open an assistance with its activation file's token (and password, unattended). */
  'assistance:open': z.object({
    activation: z.string().min(1).max(16_384),
    password: z.string().min(1).max(64).optional(),
  }),
  /** operator → relay: back after a network drop, with the resume token from session:admitted. */
  'session:resume': z.object({ sessionId: SessionId, resumeToken: z.string().min(16).max(256) }),
  /**
   * host → relay: the user declined the assistance from its request notice ("remote assistance was
   * requested by …"), before anyone was let in: it ends, and its operator is told.
   */
  'assistance:decline': z.object({ sessionId: SessionId }),
  /** enrolled device host → relay: its user sessions, on connect and whenever they change. */
  'device:user-sessions': z.object({ sessions: UserSessionList }),
  /** operator → relay → the device's agent (never the host): a Flexxible Tools request (tools-protocol.ts). */
  'tool:request': z.object({ sessionId: SessionId, request: ToolRequest }),
  /** host → relay: the user closed one of the open tools from the indicator; the agent closes it. */
  'tool:close-by-user': z.object({ sessionId: SessionId, toolId: ToolId }),
  /** either side → relay → both: a chat message (assist-protocol.ts), audited and bounded by the relay. */
  'chat:send': z.object({ sessionId: SessionId, text: ChatText }),
  /** host → relay: a clipboard transfer's direction and size, for the audit. */
  'clipboard:report': ClipboardReport,
  'session:feature-used': FeatureReport,
  /** host → relay: a file transfer began or ended (name, size, direction, hash; never the bytes), for the audit. */
  'files:report': FilesReport,
  /**
   * operator → relay → the device's agent (never the host): input for the secure desktop, only
   * from the admitted operator with control (src/relay/secure-desktop/).
   */
  'secure-desktop:input': z.object({ sessionId: SessionId, input: SecureDesktopInput }),
} as const;
export type ClientEventName = keyof typeof clientEvents;
export type ClientEventPayload<E extends ClientEventName> = z.input<(typeof clientEvents)[E]>;

export const RelayErrorCode = z.enum([
  'bad-payload',
  'unknown-event',
  'not-in-session',
  'no-such-session',
  'session-busy',
  'forbidden',
  'unauthorized',
  'activation-invalid', // not signed by this relay, or not an activation
  'activation-revoked', // signed with a key the relay revoked
  'activation-expired',
  'activation-used', // its nonce was consumed already
  'not-your-activation', // issued to another operator
  'password-required',
  'wrong-password', // with attemptsLeft
  'retry-later', // with retryAfterMs: attempts are spaced out after failures
  'locked', // too many wrong passwords: the operator must request a new assistance
  'session-expired', // the assistance (or its resume token) is over
  'device-away', // the device is reconnecting to the relay: try again in a moment
  'rate-limited', // too many messages, or the other side is not reading: not handled (retryAfterMs when known)
]);
export type RelayErrorCode = z.infer<typeof RelayErrorCode>;

/** Events the relay sends to clients. */
export const relayEvents = {
  /** relay → host: registered; people join with this ID. */
  'host:ready': z.object({ sessionId: SessionId }),
  /** relay → operator: authenticated as this operator. */
  'operator:ready': z.object({ operator: OperatorIdentity }),
  /** relay → host: an operator, vouched for by the relay, asks to join. */
  'session:join-request': z.object({
    sessionId: SessionId,
    operator: OperatorIdentity,
    deviceName: z.string().optional(),
    /** The policy requires this operator's session to be recorded: the consent window says so before Allow. */
    recorded: z.boolean().optional(),
  }),
  /** relay → operator: the host was asked; waiting for the user. */
  'session:waiting': z.object({ sessionId: SessionId, deviceName: z.string() }),
  /**
   * relay → operator: admitted (the user allowed control or view, or unattended with the right
   * password); deny comes as session:ended. The resume token reconnects into this session
   * after a network drop, without a new password or consent.
   */
  'session:admitted': z.object({
    sessionId: SessionId,
    mode: AccessMode,
    unattended: z.boolean().optional(),
    resumeToken: z.string().optional(),
    /** The policy requires recording: the operator's app records the screen and input and uploads it (recording.ts). */
    recorded: z.boolean().optional(),
  }),
  /**
   * relay → each of a session's two admitted peers (its host and its admitted operator), and to
   * them only: the TURN servers and their short-lived credentials for the peer connection
   * (src/shared/ice.ts), sent with each admission and each fresh peer. A relay without TURN sends none.
   */
  'session:ice': z.object({ sessionId: SessionId, ice: IceConfig }),
  /** relay → enrolled device host: an assistance was requested for this device. */
  'assistance:prepared': z.object({
    sessionId: SessionId,
    mode: AssistanceMode,
    operator: OperatorIdentity,
    /** The device's policy lets the operator hear its sound (audio redirection; off by default). */
    audio: z.boolean(),
    /**
     * Reconnects this host into the assistance after a dropped connection (HandshakeAuth's
     * resume), within the relay's grace period; the relay keeps only its hash.
     */
    hostResumeToken: z.string().min(16).max(256),
  }),
  /** relay → host: back in its assistance after a dropped connection; nothing the user decided changed. */
  'host:resumed': z.object({ sessionId: SessionId }),
  /** relay → operator: the device lost its connection to the relay; it has the grace period to come back. */
  'session:away': z.object({ sessionId: SessionId, side: z.literal('host') }),
  /** relay → operator: the device is back. */
  'session:back': z.object({ sessionId: SessionId, side: z.literal('host') }),
  /** relay → device host: the operator opened the unattended assistance: no consent, show the banner. */
  'session:unattended-start': z.object({
    sessionId: SessionId,
    operator: OperatorIdentity,
    /** Recorded: the device's screen shows a notice that says so. */
    recorded: z.boolean().optional(),
  }),
  /** relay → device host: the assistance is over for good; the host service stops. */
  'assistance:expired': z.object({ sessionId: SessionId }),
  /** relay → host: the operator asks for control; the user answers in the indicator (session:mode when yes). */
  'session:control-requested': z.object({ sessionId: SessionId }),
  /** relay → operator: its ticket and notes are in the audit trail. */
  'session:notes-saved': z.object({ sessionId: SessionId, notes: AssistanceNotes }),
  /** relay → operator: the user switched mode during the session. */
  'session:mode': z.object({ sessionId: SessionId, mode: AccessMode }),
  /** relay → host: the admitted operator reconnected; start a fresh peer (no new consent). */
  'session:peer-reset': z.object({ sessionId: SessionId }),
  'session:signal': z.object({ sessionId: SessionId, signal: PeerSignal }),
  'session:ended': z.object({ sessionId: SessionId, reason: EndReason }),
  /** the device's agent → relay → operator: what a tool answered, or the relay's refusal of a request. */
  'tool:event': z.object({ sessionId: SessionId, event: ToolEvent }),
  /** relay → operator: the device could not act on its secure-desktop input, and why. */
  'secure-desktop:refused': z.object({ sessionId: SessionId, code: z.string(), message: z.string() }),
  /**
   * the device's agent → relay → the admitted operator (on each admission and each change): the
   * device's SYSTEM helper is attached for this assistance, so Ctrl+Alt+Del goes to it (SendSAS)
   * as secure-desktop:input; without it the toolbar asks the host, which only says why not.
   */
  'secure-desktop:helper': z.object({ sessionId: SessionId, attached: z.boolean() }),
  /**
   * the device's agent → relay → operator and host: the secure desktop (a UAC prompt, Ctrl+Alt+Del,
   * the logon screen) is up or gone. The operator's viewer switches to its frames; the host's
   * indicator tells the user. The host never gets its frames.
   */
  'secure-desktop:state': z.object({ sessionId: SessionId, up: SecureDesktopUp }),
  /** the device's agent → relay → the admitted operator only: a capture of the secure desktop. */
  'secure-desktop:frame': z.object({ sessionId: SessionId, frame: SecureDesktopFrame }),
  /**
   * relay → operator: the tools this operator may use in the assistance, each refused one with its reason; sent on
   * each admission (consent, password, reconnect) and again whenever the policy or the operator's role changes.
   */
  'tools:available': ToolsAvailable,
  /** relay → host: the tools open now in the assistance, for the user's indicator (each can be closed). */
  'tool:open-list': z.object({
    sessionId: SessionId,
    tools: z.array(z.object({ toolId: ToolId, tool: ToolKind })).max(64),
  }),
  /** relay → both parties: what the policy allows of the clipboard and the chat now. */
  'session:features': SessionFeatures,
  'chat:message': ChatMessage,
  'chat:refused': ChatRefused,
  'relay:error': z.object({
    code: RelayErrorCode,
    message: z.string(),
    event: z.string().optional(),
    attemptsLeft: z.number().int().optional(),
    retryAfterMs: z.number().int().optional(),
    /** With session-expired: how the assistance really ended (the app never reports a timeout that did not happen). */
    endReason: EndReason.optional(),
  }),
} as const;
export type RelayEventName = keyof typeof relayEvents;
export type RelayEventPayload<E extends RelayEventName> = z.infer<(typeof relayEvents)[E]>;

/** socket.io typings derived from the schemas above, for server and client alike. */
export type ClientToRelayEvents = {
  [E in ClientEventName]: (payload: ClientEventPayload<E>) => void;
};
export type RelayToClientEvents = {
  [E in RelayEventName]: (payload: RelayEventPayload<E>) => void;
};

/** Formats a session ID for people: 123 456 789. */
export function formatSessionId(id: string): string {
  return id.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3');
}

/** Accepts what people type ("123 456 789", "123-456-789") and returns the nine digits, or null. */
export function parseSessionId(text: string): SessionId | null {
  const digits = text.replace(/[\s-]/g, '');
  return SessionId.safeParse(digits).success ? digits : null;
}
