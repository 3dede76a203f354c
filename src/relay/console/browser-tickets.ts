/**
 * The operator in the browser signs in through the console session: the viewer page the relay
 * serves (/console/operator/) asks, with the session's cookie and CSRF header, for a ticket
 * (POST /console/api/me/browser-operator) and presents it in its socket.io handshake (role
 * `browser-operator`), since the console's cookie is scoped to /console and never reaches
 * /socket.io. A ticket is good once, for 30 seconds, kept in memory as its SHA-256 only; the page
 * asks for a fresh one at each (re)connection, so a signed-out console session stops its
 * browser operator from coming back. The identity it gives is the user's operator identity
 * marked `via: 'browser'`, which the host's consent window and the audit trail show, and which
 * the policy's `browser-operator` capability gates when an assistance is opened.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleUser } from '../../shared/console-api.js';
import type { OperatorIdentity } from '../../shared/protocol.js';
import type { Clock } from '../clock.js';
import { ApiFailure } from '../http/json.js';
import type { ConsoleUsers } from './users.js';

export const BROWSER_TICKET_MS = 30_000;
/** Tickets alive at once, over all users: more are refused until some expire. */
const MAX_LIVE_TICKETS = 10_000;

interface Pending {
  username: string;
  expiresAt: number;
}

const digest = (ticket: string) => createHash('sha256').update(ticket).digest('base64url');

/** A redeemed ticket: the operator identity the relay vouches for, and the console account that asked. */
export interface BrowserOperator {
  operator: OperatorIdentity;
  consoleUser: string;
}

export class BrowserTickets {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly deps: { clock: Clock; users: ConsoleUsers }) {}

  issue(user: ConsoleUser): { ticket: string; expiresAt: number } {
    const now = this.deps.clock.now();
    this.sweep(now);
    if (this.pending.size >= MAX_LIVE_TICKETS)
      throw new ApiFailure(503, 'busy', 'too many browser sign-ins at once; try again in a moment');
    if (!this.deps.users.operatorOf(user))
      throw new ApiFailure(403, 'denied', 'your console account has no operator identity to connect with');
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + BROWSER_TICKET_MS;
    this.pending.set(digest(ticket), { username: user.username, expiresAt });
    return { ticket, expiresAt };
  }

  /** Single use: gone from here on, whatever follows. Null for an unknown, used or expired ticket. */
  redeem(ticket: string): BrowserOperator | null {
    const now = this.deps.clock.now();
    this.sweep(now);
    const hash = digest(ticket);
    const found = this.pending.get(hash);
    this.pending.delete(hash);
    if (!found || found.expiresAt <= now) return null;
    // Read again now: a user removed since the ticket was made has no identity to act as.
    const user = this.deps.users.get(found.username);
    const operator = user ? this.deps.users.operatorOf(user) : null;
    if (!user || !operator) return null;
    return { operator: { ...operator, via: 'browser' }, consoleUser: user.username };
  }

  private sweep(now: number): void {
    for (const [hash, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(hash);
  }
}
