/**
 * Who a connecting client is, decided once in the socket.io handshake. Anonymous hosts only
 * name their device; enrolled hosts and operators must present a registry token, and from then
 * on the relay speaks of them only with the registry's identity, whatever else the client put
 * in its auth.
 */
import { HandshakeAuth, type OperatorIdentity, type SessionId } from '../shared/protocol.js';
import type { DeviceIdentity, DeviceRegistry } from './devices.js';
import type { OperatorRegistry } from './operators.js';
import { summarizeIssues } from './validate.js';

/** What the relay keeps on each authenticated socket (socket.data). */
export type ClientData =
  | {
      role: 'host';
      deviceName: string;
      /** Set for enrolled devices. */
      device?: DeviceIdentity;
      /** Set for a host a device's agent started: the assistance its one-time token was issued for. */
      assistance?: SessionId;
      /** Set for a host back from a dropped connection: the assistance its resume token is for. */
      resumed?: SessionId;
    }
  /**
   * `appToken`: the app token it signed in with, when it was one (revocable alone, revocation.ts).
   * `consoleUser`: the console account of an operator in the browser (its identity says `via: 'browser'`).
   */
  | { role: 'operator'; operator: OperatorIdentity; appToken?: string; consoleUser?: string };

/** `retry`: the client should connect again (through the proxy, to another node), not give up. */
export type AuthResult = { ok: true; data: ClientData } | { ok: false; reason: string; retry?: true };

export interface Registries {
  operators: OperatorRegistry;
  devices: DeviceRegistry;
  /** The one-time tokens of hosts started by agents (src/relay/agents/hub.ts). */
  hostTokens: {
    redeemHostToken(token: string): { sessionId: SessionId; deviceName: string } | null;
    /** Of several nodes: whether another node issued this token (its agent starts the host there). */
    heldElsewhere?: (token: string) => Promise<boolean>;
  };
  /** The resume tokens of assistances' hosts (src/relay/assistances/service.ts). */
  hostResumes: {
    hostResumeValid(sessionId: SessionId, token: string): { deviceId: string; deviceName: string } | null;
  };
  /** The one-time tickets of operators in the browser (src/relay/console/browser-tickets.ts). */
  browserTickets?: { redeem(ticket: string): { operator: OperatorIdentity; consoleUser: string } | null };
}

export async function authenticate(auth: unknown, registries: Registries): Promise<AuthResult> {
  const parsed = HandshakeAuth.safeParse(auth);
  if (!parsed.success) return { ok: false, reason: `bad handshake auth (${summarizeIssues(parsed.error)})` };
  if (parsed.data.role === 'host') {
    const { deviceName, deviceToken, hostToken, resume } = parsed.data;
    if (resume !== undefined) {
      if (deviceToken !== undefined || hostToken !== undefined)
        return { ok: false, reason: 'a host resuming presents its resume token only' };
      const valid = registries.hostResumes.hostResumeValid(resume.sessionId, resume.token);
      if (!valid) return { ok: false, reason: 'invalid host resume token' };
      // Its device is what the assistance was issued for: present again, as on its first connection.
      const device = { id: valid.deviceId, name: valid.deviceName };
      return { ok: true, data: { role: 'host', deviceName: device.name, device, resumed: resume.sessionId } };
    }
    if (hostToken !== undefined) {
      if (deviceToken !== undefined)
        return { ok: false, reason: 'a host presents a device token or a host token, not both' };
      const binding = registries.hostTokens.redeemHostToken(hostToken);
      if (!binding && (await registries.hostTokens.heldElsewhere?.(hostToken)))
        return { ok: false, reason: 'this host is expected by another relay node: connect again', retry: true };
      if (!binding) return { ok: false, reason: 'invalid or used host token' };
      return { ok: true, data: { role: 'host', deviceName: binding.deviceName, assistance: binding.sessionId } };
    }
    if (deviceToken === undefined) return { ok: true, data: { role: 'host', deviceName } };
    const device = await registries.devices.verify(deviceToken);
    if (!device) return { ok: false, reason: 'invalid or revoked device token' };
    // The registry's name, as for operators: what the relay shows of a device is what it enrolled.
    return { ok: true, data: { role: 'host', deviceName: device.name, device } };
  }
  if (parsed.data.role === 'browser-operator') {
    const redeemed = registries.browserTickets?.redeem(parsed.data.ticket) ?? null;
    if (!redeemed) return { ok: false, reason: 'invalid, used or expired browser sign-in ticket' };
    return { ok: true, data: { role: 'operator', ...redeemed } };
  }
  const verified = await registries.operators.verifyToken(parsed.data.token);
  // One reason for malformed, unknown and revoked tokens: the client learns nothing to probe with.
  if (!verified) return { ok: false, reason: 'invalid or revoked operator token' };
  const { identity: operator, appToken } = verified;
  return { ok: true, data: { role: 'operator', operator, ...(appToken ? { appToken } : {}) } };
}
