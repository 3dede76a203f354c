/**
 * Who a connecting client is, decided once in the socket.io handshake. Hosts only name their
 * device; operators must present a registry token, and from then on the relay speaks of them
 * only with the registry's identity, whatever else the client put in its auth.
 */
import { HandshakeAuth, type OperatorIdentity } from '../shared/protocol.js';
import type { OperatorRegistry } from './operators.js';
import { summarizeIssues } from './validate.js';

/** What the relay keeps on each authenticated socket (socket.data). */
export type ClientData = { role: 'host'; deviceName: string } | { role: 'operator'; operator: OperatorIdentity };

export type AuthResult = { ok: true; data: ClientData } | { ok: false; reason: string };

export async function authenticate(auth: unknown, registry: OperatorRegistry): Promise<AuthResult> {
  const parsed = HandshakeAuth.safeParse(auth);
  if (!parsed.success) return { ok: false, reason: `bad handshake auth (${summarizeIssues(parsed.error)})` };
  if (parsed.data.role === 'host') return { ok: true, data: { role: 'host', deviceName: parsed.data.deviceName } };
  const operator = await registry.verify(parsed.data.token);
  // One reason for malformed, unknown and revoked tokens: the client learns nothing to probe with.
  if (!operator) return { ok: false, reason: 'invalid or revoked operator token' };
  return { ok: true, data: { role: 'operator', operator } };
}
