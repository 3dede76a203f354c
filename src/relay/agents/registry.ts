/**
 * The devices enrolled through agents, as their agents last described them (host name, OS,
 * agent version, user sessions), whether each agent is connected, and when it was last heard
 * from. What the assistance layer decides from (online, dynamic mode's user sessions) and what
 * the console lists.
 *
 * Heartbeats only move lastSeen, in memory; the store is written when a report changes
 * something and when an agent leaves, so a thousand idle devices cost the database nothing.
 */
import type { AgentReport } from '../../shared/agent-protocol.js';
import type { UserSession } from '../../shared/user-sessions.js';
import type { Clock } from '../clock.js';
import type { ConnId } from '../messages.js';
import type { AgentDeviceRecord, AgentStore, ReenrolledAgentDevice } from './agent-store.js';

export interface AgentDevice {
  deviceId: string;
  /** What the relay shows of it (the registry's name: its host name at enrolment, or an administrator's choice). */
  name: string;
  hostname: string;
  os: string;
  agentVersion: string;
  environmentId: string;
  reportGroup: string;
  userSessions: UserSession[];
  online: boolean;
  /** ISO 8601; null before the agent first connected. */
  lastSeen: string | null;
  /** ISO 8601. */
  enrolledAt: string;
}

interface Connected {
  conn: ConnId;
  lastSeen: number;
  /** JSON of the last report saved, to tell a change from a heartbeat. */
  saved: string | null;
}

export class AgentRegistry {
  private readonly connected = new Map<string, Connected>();

  constructor(
    private readonly store: AgentStore,
    private readonly clock: Clock,
  ) {}

  enrolled(record: Omit<AgentDeviceRecord, 'name'>): void {
    this.store.insertAgentDevice(record);
  }

  /** The same device enrolled again (enrol.ts): its record is kept and brought up to date. */
  reenrolled(record: ReenrolledAgentDevice): void {
    this.store.reenrolAgentDevice(record);
  }

  /** The stored record of an enrolled device (for enrolment's matching), or null. */
  record(deviceId: string): AgentDeviceRecord | null {
    return this.store.getAgentDevice(deviceId);
  }

  /** The enrolled device of the environment that this machine identity last enrolled, or null. */
  byMachine(environmentId: string, machineIdentity: string): AgentDeviceRecord | null {
    return this.store.findAgentDeviceByMachine(environmentId, machineIdentity);
  }

  /** Whether the device was enrolled by an agent (and is still in the registry). */
  has(deviceId: string): boolean {
    return this.store.getAgentDevice(deviceId) !== null;
  }

  /** Records the agent's connection; returns the one it replaces (a half-open socket from before a restart), if any. */
  agentConnected(deviceId: string, conn: ConnId): ConnId | null {
    const previous = this.connected.get(deviceId)?.conn ?? null;
    const now = this.clock.now();
    this.connected.set(deviceId, { conn, lastSeen: now, saved: null });
    this.store.touchAgentDevice(deviceId, now);
    return previous;
  }

  /** False when `conn` is not the device's current agent connection (it was replaced). */
  agentDisconnected(deviceId: string, conn: ConnId): boolean {
    const current = this.connected.get(deviceId);
    if (current?.conn !== conn) return false;
    this.connected.delete(deviceId);
    this.store.touchAgentDevice(deviceId, current.lastSeen);
    return true;
  }

  report(deviceId: string, conn: ConnId, report: AgentReport): void {
    const current = this.connected.get(deviceId);
    if (current?.conn !== conn) return;
    current.lastSeen = this.clock.now();
    const text = JSON.stringify(report);
    if (text === current.saved) return;
    this.store.saveAgentReport(deviceId, report, current.lastSeen);
    current.saved = text;
  }

  connection(deviceId: string): ConnId | null {
    return this.connected.get(deviceId)?.conn ?? null;
  }

  get(deviceId: string): AgentDevice | null {
    const record = this.store.getAgentDevice(deviceId);
    return record ? this.describe(record) : null;
  }

  list(): AgentDevice[] {
    return this.store.listAgentDevices().map((record) => this.describe(record));
  }

  private describe(record: AgentDeviceRecord): AgentDevice {
    const live = this.connected.get(record.deviceId);
    const lastSeen = live?.lastSeen ?? record.lastSeen;
    return {
      deviceId: record.deviceId,
      name: record.name,
      hostname: record.hostname,
      os: record.os,
      agentVersion: record.agentVersion,
      environmentId: record.environmentId,
      reportGroup: record.reportGroup,
      userSessions: record.userSessions,
      online: live !== undefined,
      lastSeen: lastSeen === null ? null : new Date(lastSeen).toISOString(),
      enrolledAt: new Date(record.enrolledAt).toISOString(),
    };
  }
}
