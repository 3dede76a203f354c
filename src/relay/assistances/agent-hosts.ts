/**
 * How an assistance gets its host on a device managed by an agent: there is no host waiting on
 * such a device; the relay asks the agent to start one for the assistance (src/relay/agents/hub.ts
 * implements this). Devices whose host connects by itself with a device token do without.
 */
import type { AssistanceMode, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import type { UserSession } from '../../shared/user-sessions.js';
import type { ConnId } from '../messages.js';

export interface AgentDeviceState {
  online: boolean;
  /** The agent's latest report: what dynamic assistance decides from. */
  userSessions: UserSession[];
  /** How the device is named to the operator. */
  name: string;
}

export interface AgentHostRequest {
  sessionId: SessionId;
  mode: AssistanceMode;
  operator: OperatorIdentity;
  deviceName: string;
  /** Audio redirection, as the device's policy has it when the assistance is created. */
  audio: boolean;
  /** The user session to start the host in; the agent picks the console's active one otherwise. */
  userSessionId?: string;
}

export interface AgentHosts {
  /** null when no agent manages the device. */
  device(deviceId: string): AgentDeviceState | null;
  /** Asks the agent to start the host; resolves once the host has arrived, rejects saying why it did not. */
  startHost(deviceId: string, request: AgentHostRequest): Promise<void>;
  /** The host presented its token and sits in the assistance's session. */
  arrived(sessionId: SessionId, conn: ConnId): void;
  /** The assistance is over, whatever the reason: its token is forgotten and its host stopped. */
  ended(sessionId: SessionId): void;
  /** An assistance carried over a relay restart, whose host this device's agent had started. */
  carriedOver(sessionId: SessionId, deviceId: string): void;
}
