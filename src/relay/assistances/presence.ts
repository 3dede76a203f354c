/**
 * Which enrolled devices are connected, on which host connection, and the user sessions each
 * last reported (what dynamic assistance decides from). In memory only: a device that is not
 * connected cannot be assisted anyway.
 */
import type { UserSession } from '../../shared/user-sessions.js';
import type { DeviceIdentity } from '../devices.js';
import type { ConnId } from '../messages.js';

export interface DeviceConnection {
  conn: ConnId;
  name: string;
}

export class DevicePresence {
  private readonly connections = new Map<string, DeviceConnection>();
  private readonly reports = new Map<string, UserSession[]>();

  /** The newest connection wins: an older one is usually a half-open socket from before a restart. */
  connected(conn: ConnId, device: DeviceIdentity): void {
    this.connections.set(device.id, { conn, name: device.name });
  }

  disconnected(conn: ConnId, deviceId: string): void {
    if (this.connections.get(deviceId)?.conn === conn) this.connections.delete(deviceId);
  }

  connection(deviceId: string): DeviceConnection | null {
    return this.connections.get(deviceId) ?? null;
  }

  /** Kept per device, across its reconnections, until it reports again. */
  report(deviceId: string, sessions: UserSession[]): void {
    this.reports.set(deviceId, sessions);
  }

  /** The latest report; none yet reads as no user sessions. */
  userSessions(deviceId: string): UserSession[] {
    return this.reports.get(deviceId) ?? [];
  }
}
