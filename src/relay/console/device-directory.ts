/**
 * What the console and the policy read about devices: the facts their agents report and whether
 * they are connected. An interface, so that the console does not depend on how devices are
 * enrolled and tracked (src/relay/agents does that).
 */
import type { UserSession } from '../../shared/user-sessions.js';

export interface DirectoryDevice {
  deviceId: string;
  hostname: string;
  os: string;
  agentVersion: string;
  reportGroup: string;
  online: boolean;
  /** ISO 8601; null when never seen. */
  lastSeen: string | null;
  userSessions: UserSession[];
}

export interface DeviceDirectory {
  /** Every device that has reported, in a stable order. */
  list(): DirectoryDevice[];
  get(deviceId: string): DirectoryDevice | null;
}
