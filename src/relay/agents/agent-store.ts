/**
 * What the relay persists about agents: enrolment tokens (only their MAC) and what each
 * enrolled device last reported. Part of the relay store (store.ts extends it; SQLite statements
 * in sqlite-agents.ts). Times are ms on the relay's clock.
 */
import type { AgentReport } from '../../shared/agent-protocol.js';
import type { UserSession } from '../../shared/user-sessions.js';

export interface EnrolmentTokenRecord {
  /** Names the token in lists and logs; not part of the secret. */
  id: string;
  /**
   * The token's MAC under the relay's token pepper (tokens from before it: SHA-256): 256 random
   * bits need no slow hash to be safe from guessing.
   */
  tokenHash: Buffer;
  environmentId: string;
  reportGroup: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** How many enrolments it allows; null: any number (tokens made before uses were counted). */
  maxUses: number | null;
  /** Enrolments made with it so far. */
  uses: number;
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
  /**
   * What the agent sent as its machine's identity at its last enrolment (an app-specific hash of
   * /etc/machine-id or MachineGuid, 64 hex digits), so that the machine enrolling again keeps
   * this record; null when it sent none.
   */
  machineIdentity: string | null;
  /** The name the relay shows (the registry's: its host name at enrolment, or an admin's rename); read only. */
  name: string;
}

/** What an enrolment again changes of a device's agent record (the rest, its id and name, stays). */
export type ReenrolledAgentDevice = Pick<
  AgentDeviceRecord,
  'deviceId' | 'reportGroup' | 'hostname' | 'os' | 'agentVersion' | 'enrolledAt' | 'machineIdentity'
>;

export interface AgentStore {
  insertEnrolmentToken(record: EnrolmentTokenRecord): void;
  getEnrolmentToken(tokenHash: Buffer): EnrolmentTokenRecord | null;
  /** False when there is no such token, or it was revoked already. */
  revokeEnrolmentToken(id: string, at: number): boolean;
  /**
   * Counts one enrolment with the token, unless it is revoked, expired at `now` or used up (all
   * checked in the same statement, so two enrolments racing cannot both take the last use).
   */
  useEnrolmentToken(id: string, now: number): boolean;
  /** A token from before the pepper, found by its SHA-256: keyed by its MAC from now on. */
  rekeyEnrolmentToken(from: Buffer, to: Buffer): void;
  /** Every enrolment token, newest first (for the console's list; their MACs are of no use there). */
  listEnrolmentTokens(): EnrolmentTokenRecord[];

  insertAgentDevice(record: Omit<AgentDeviceRecord, 'name'>): void;
  saveAgentReport(deviceId: string, report: AgentReport, at: number): void;
  touchAgentDevice(deviceId: string, at: number): void;
  /** Only devices still in the registry: a removed device's agent record is not shown. */
  getAgentDevice(deviceId: string): AgentDeviceRecord | null;
  /** Oldest enrolment first. */
  listAgentDevices(): AgentDeviceRecord[];
  /** The device of the environment whose agent last enrolled with this machine identity, if any is still enrolled. */
  findAgentDeviceByMachine(environmentId: string, machineIdentity: string): AgentDeviceRecord | null;
  /** The device enrolled again: its report group, what its agent says of it; its user sessions start empty. */
  reenrolAgentDevice(record: ReenrolledAgentDevice): void;
}
