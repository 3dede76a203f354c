/**
 * One-time host tokens: the relay gives one to an agent with each agent:start-host, the agent
 * passes it to the host it starts, and the host presents it in its handshake. A token names one
 * assistance and works once; it is kept (as SHA-256) only in memory, since a relay restart ends
 * every assistance anyway.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionId } from '../../shared/protocol.js';

export interface HostBinding {
  sessionId: SessionId;
  deviceId: string;
  /** How the relay names the device to the operator. */
  deviceName: string;
}

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class HostTokens {
  private readonly byHash = new Map<string, HostBinding>();
  private readonly hashOf = new Map<SessionId, string>();

  issue(binding: HostBinding): string {
    this.revoke(binding.sessionId);
    const token = randomBytes(32).toString('base64url');
    const hash = sha256(token);
    this.byHash.set(hash, binding);
    this.hashOf.set(binding.sessionId, hash);
    return token;
  }

  /** The assistance a token was issued for, once: the token is spent by this call. */
  redeem(token: string): HostBinding | null {
    const hash = sha256(token);
    const binding = this.byHash.get(hash);
    if (!binding) return null;
    this.revoke(binding.sessionId);
    return binding;
  }

  revoke(sessionId: SessionId): void {
    const hash = this.hashOf.get(sessionId);
    if (hash === undefined) return;
    this.byHash.delete(hash);
    this.hashOf.delete(sessionId);
  }
}
