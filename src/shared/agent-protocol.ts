/**
 * The device agent's contract with the relay. The agent enrols once over HTTP, then keeps one
 * outbound socket.io connection (it never listens on a port), reports the device, and starts
 * the host for an assistance when the relay asks. The host it starts authenticates with a
 * one-time host token bound to that assistance, never with the agent's own credential.
 */
import { z } from 'zod';
import { CalVer } from './calver.js';
import { Name } from './names.js';
import { AssistanceMode, OperatorIdentity, SessionId } from './protocol.js';
import { API_PREFIX } from './relay-api.js';
import { UserSessionList } from './user-sessions.js';
import { ToolCloseReason, ToolEvent, ToolId, ToolRequest } from './tools-protocol.js';
import { SecureDesktopInput } from './secure-desktop-input.js';
import { SecureDesktopFrame, SecureDesktopUp } from './secure-desktop-stream.js';

/** The socket.io namespace agents connect to (hosts and operators use the default one). */
export const AGENT_NAMESPACE = '/agent';
export const ENROL_PATH = `${API_PREFIX}/enrol`;

/** What one enrolment token may allow at most. */
export const MAX_ENROLMENT_USES = 100_000;

/** The agent's app-specific hash of its machine's identity (never the raw /etc/machine-id or MachineGuid). */
export const MachineIdentity = z.string().regex(/^[0-9a-f]{64}$/, 'a machine identity is 64 hex digits');

/**
 * POST /api/v1/enrol. A machine enrolling again sends its machine identity and, when it has one,
 * the device id it was given last time (with the same relay): the relay then reuses that device's
 * record (same id, name and history; a new credential, the old one dead) instead of adding a twin.
 */
export const EnrolRequest = z.object({
  enrolmentToken: z.string().min(1).max(512),
  hostname: Name,
  os: z.string().min(1).max(200),
  agentVersion: CalVer,
  machineIdentity: MachineIdentity.optional(),
  deviceId: z.string().min(1).max(64).optional(),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

export const EnrolResponse = z.object({
  deviceId: z.string(),
  /** The agent's long-lived credential; the agent keeps it in the OS credential store. */
  agentToken: z.string(),
  environmentId: z.string(),
  reportGroup: z.string(),
  /** True when the relay reused this machine's existing device record. */
  reused: z.boolean().default(false),
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;

/**
 * socket.io handshake of an enrolled agent. `instanceId` is random, fixed for the life of the
 * agent process and new at each start: the relay tells a reconnection of the same agent (its
 * assistances go on) from a restarted one (they end).
 */
export const AgentHandshake = z.object({
  role: z.literal('agent'),
  agentToken: z.string().min(1).max(512),
  instanceId: z.uuid(),
});
export type AgentHandshake = z.infer<typeof AgentHandshake>;

/** What the agent tells the relay, on connect and whenever it changes (and as a heartbeat). */
export const AgentReport = z.object({
  hostname: Name,
  os: z.string().min(1).max(200),
  agentVersion: CalVer,
  userSessions: UserSessionList,
});
export type AgentReport = z.infer<typeof AgentReport>;

/** agent → relay events */
export const agentEvents = {
  'agent:report': AgentReport,
  /** The host for an assistance started (or could not). */
  'agent:host-started': z.object({ sessionId: SessionId }),
  'agent:host-failed': z.object({ sessionId: SessionId, message: z.string().max(500) }),
  /** The host's process ended (quit, crashed, killed): not a network drop, the assistance is over. */
  'agent:host-exited': z.object({ sessionId: SessionId }),
  /** What an assistance's tool answered (tools-protocol.ts), for the relay to carry to its operator. */
  'tool:event': z.object({ sessionId: SessionId, event: ToolEvent }),
  /** Secure-desktop input the agent or its helper could not act on (not Windows, no SendSAS …). */
  'secure-desktop:refused': z.object({
    sessionId: SessionId,
    code: z.string().min(1).max(64),
    message: z.string().max(500),
  }),
  /**
   * The assistance's SYSTEM helper is connected (attached) or gone: the relay keeps it and tells the
   * admitted operator, whose toolbar then sends Ctrl+Alt+Del to it (SendSAS) instead of the host.
   */
  'secure-desktop:helper': z.object({ sessionId: SessionId, attached: z.boolean() }),
  /** The helper's input desktop became a secure one (up) or the user's again: to the operator and the host. */
  'secure-desktop:state': z.object({ sessionId: SessionId, up: SecureDesktopUp }),
  /** A capture of the secure desktop (docs/secure-desktop.md): to the admitted operator only. */
  'secure-desktop:frame': z.object({ sessionId: SessionId, frame: SecureDesktopFrame }),
} as const;

/** relay → agent events */
export const relayToAgentEvents = {
  'agent:ready': z.object({ deviceId: z.string(), heartbeatMs: z.number().int().positive() }),
  /**
   * Start the host for an assistance in the given user session (or the console's), with a
   * one-time host token. The host tells the user before anything else happens.
   */
  'agent:start-host': z.object({
    sessionId: SessionId,
    mode: AssistanceMode,
    hostToken: z.string().min(16).max(512),
    userSessionId: z.string().max(64).optional(),
    operator: OperatorIdentity,
  }),
  /** Stop the host of an assistance (it ended or expired). */
  'agent:stop-host': z.object({ sessionId: SessionId }),
  /** An operator's tool request the relay checked (policy, assistance, environment) and forwards. */
  'tool:request': z.object({ sessionId: SessionId, request: ToolRequest }),
  /** Close one tool for a reason other than its operator's (the user's indicator, a policy change). */
  'tool:close': z.object({ sessionId: SessionId, toolId: ToolId, reason: ToolCloseReason }),
  /**
   * An operator is watching the assistance (admitted and connected) or no longer: the agent
   * captures the secure desktop only while one is, so nothing of it leaves the device before
   * the user (or the one-time password) let an operator in.
   */
  'agent:watched': z.object({ sessionId: SessionId, watched: z.boolean() }),
  /** The admitted operator's input for the secure desktop, checked by the relay (control, running). */
  'secure-desktop:input': z.object({ sessionId: SessionId, input: SecureDesktopInput }),
  'relay:error': z.object({ code: z.string(), message: z.string(), event: z.string().optional() }),
} as const;

export type AgentToRelayEvents = {
  [E in keyof typeof agentEvents]: (payload: z.input<(typeof agentEvents)[E]>) => void;
};
export type RelayToAgentEvents = {
  [E in keyof typeof relayToAgentEvents]: (payload: z.infer<(typeof relayToAgentEvents)[E]>) => void;
};
