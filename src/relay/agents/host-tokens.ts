/**
 * One-time host tokens: the relay gives one to an agent with each agent:start-host, the agent
 * passes it to the host it starts, and the host presents it in its handshake. A token names one
 * assistance and works once; it is kept (as its MAC, like every machine token: one HMAC per
 * check, credentials/token-mac.ts) only in memory, since a relay restart ends every assistance
 * anyway.
 */
import { randomBytes } from 'node:crypto';
import type { SessionId } from '../../shared/protocol.js';
import type { TokenMac } from '../credentials/token-mac.js';

export interface HostBinding {
  sessionId: SessionId;
  deviceId: string;
  /** How the relay names the device to the operator. */
  deviceName: string;
}

export class HostTokens {
  private readonly byHash = new Map<string, HostBinding>();
  private readonly hashOf = new Map<SessionId, string>();

  constructor(private readonly mac: TokenMac) {}

  /** The token's MAC, as nodes sharing the pepper compute it alike (cluster.ts asks with it, never with the token). */
  hash(token: string): string {
    return this.mac.of(token).toString('base64url');
  }

  /** Whether a token of that MAC is issued here and not spent yet. */
  holds(hash: string): boolean {
    return this.byHash.has(hash);
  }

  issue(binding: HostBinding): string {
    this.revoke(binding.sessionId);
    const token = randomBytes(32).toString('base64url');
    const hash = this.hash(token);
    this.byHash.set(hash, binding);
    this.hashOf.set(binding.sessionId, hash);
    return token;
  }

  /** The assistance a token was issued for, once: the token is spent by this call. */
  redeem(token: string): HostBinding | null {
    const hash = this.hash(token);
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
