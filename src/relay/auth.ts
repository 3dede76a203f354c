/**
 * Who a connecting client is, decided once in the socket.io handshake. Anonymous hosts only
 * name their device; enrolled hosts and operators must present a registry token, and from then
 * on the relay speaks of them only with the registry's identity, whatever else the client put
 * in its auth.
 */
import { HandshakeAuth, type OperatorIdentity } from '../shared/protocol.js';
import type { DeviceIdentity, DeviceRegistry } from './devices.js';
import type { OperatorRegistry } from './operators.js';
import { summarizeIssues } from './validate.js';

/** What the relay keeps on each authenticated socket (socket.data). */
export type ClientData =
  | { role: 'host'; deviceName: string; /** Set for enrolled devices. */ device?: DeviceIdentity }
  | { role: 'operator'; operator: OperatorIdentity };

export type AuthResult = { ok: true; data: ClientData } | { ok: false; reason: string };

export interface Registries {
  operators: OperatorRegistry;
  devices: DeviceRegistry;
}

export async function authenticate(auth: unknown, registries: Registries): Promise<AuthResult> {
  const parsed = HandshakeAuth.safeParse(auth);
  if (!parsed.success) return { ok: false, reason: `bad handshake auth (${summarizeIssues(parsed.error)})` };
  if (parsed.data.role === 'host') {
    const { deviceName, deviceToken } = parsed.data;
    if (deviceToken === undefined) return { ok: true, data: { role: 'host', deviceName } };
    const device = await registries.devices.verify(deviceToken);
    if (!device) return { ok: false, reason: 'invalid or revoked device token' };
    // The registry's name, as for operators: what the relay shows of a device is what it enrolled.
    return { ok: true, data: { role: 'host', deviceName: device.name, device } };
  }
  const operator = await registries.operators.verify(parsed.data.token);
  // One reason for malformed, unknown and revoked tokens: the client learns nothing to probe with.
  if (!operator) return { ok: false, reason: 'invalid or revoked operator token' };
  return { ok: true, data: { role: 'operator', operator } };
}
