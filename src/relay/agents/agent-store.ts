/**
 * What the relay persists about agents: enrolment tokens (only their SHA-256) and what each
 * enrolled device last reported. Part of the relay store (store.ts extends it; SQLite statements
 * in sqlite-agents.ts). Times are ms on the relay's clock.
 */
import type { AgentReport } from '../../shared/agent-protocol.js';
import type { UserSession } from '../../shared/user-sessions.js';

export interface EnrolmentTokenRecord {
  /** Names the token in lists and logs; not part of the secret. */
  id: string;
  /** SHA-256 of the token: 256 random bits need no slow hash to be safe from guessing. */
  tokenHash: Buffer;
  environmentId: string;
  reportGroup: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** An enrolled device as its agent describes it; the device's credential is in the devices table. */
export interface AgentDeviceRecord {
  deviceId: string;
  environmentId: string;
  reportGroup: string;
  hostname: string;
  os: string;
  agentVersion: string;
  userSessions: UserSession[];
  enrolledAt: number;
  /** The last report or connection; null before the agent first connected. */
  lastSeen: number | null;
}

export interface AgentStore {
  insertEnrolmentToken(record: EnrolmentTokenRecord): void;
  getEnrolmentToken(tokenHash: Buffer): EnrolmentTokenRecord | null;
  /** False when there is no such token, or it was revoked already. */
  revokeEnrolmentToken(id: string, at: number): boolean;

  insertAgentDevice(record: AgentDeviceRecord): void;
  saveAgentReport(deviceId: string, report: AgentReport, at: number): void;
  touchAgentDevice(deviceId: string, at: number): void;
  /** Only devices still in the registry: a removed device's agent record is not shown. */
  getAgentDevice(deviceId: string): AgentDeviceRecord | null;
  /** Oldest enrolment first. */
  listAgentDevices(): AgentDeviceRecord[];
}
