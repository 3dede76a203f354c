/**
 * The checks of machine tokens still stored as scrypt hashes (rows from before the token pepper):
 * a scrypt hash cannot be turned into an HMAC without the token, so such a row is checked with
 * scrypt once more, at its next use, and replaced by the HMAC when the token is right
 * (machine-tokens.ts). Each check costs ~100 ms of CPU, so they go through this gate: one at a
 * time, a few waiting, and beyond that refused as "busy" (the client is told `unavailable` and
 * tries again). Wrong tokens thrown at old rows then cost at most one core, and tokens already
 * stored as HMACs never wait here.
 */
import { verifySecret } from '../secret-hash.js';
import type { SaltedHash } from '../store/store.js';

export interface ScryptGateLimits {
  /** Checks running at once. */
  running: number;
  /** Checks waiting for their turn; more are refused. */
  waiting: number;
}

export const DEFAULT_SCRYPT_GATE: ScryptGateLimits = { running: 1, waiting: 16 };

export interface ScryptGateCounts {
  /** scrypt checks run. */
  checks: number;
  /** The most that ever ran at once. */
  maxRunning: number;
  /** Refused because the gate was full. */
  refusedBusy: number;
}

/** Too many old-style token checks at once: the relay could not check this one now. */
export class CredentialCheckBusy extends Error {
  constructor() {
    super('too many checks of old-style token hashes at once; try again');
  }
}

export class ScryptGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly counts: ScryptGateCounts = { checks: 0, maxRunning: 0, refusedBusy: 0 };

  constructor(private readonly limits: ScryptGateLimits = DEFAULT_SCRYPT_GATE) {}

  /** verifySecret, in turn; rejects with CredentialCheckBusy when too many wait already. */
  async verify(secret: string, stored: SaltedHash): Promise<boolean> {
    await this.enter();
    try {
      this.counts.checks++;
      return await verifySecret(secret, stored);
    } finally {
      this.leave();
    }
  }

  stats(): ScryptGateCounts {
    return { ...this.counts };
  }

  private async enter(): Promise<void> {
    if (this.running < this.limits.running) {
      this.running++;
    } else if (this.waiting.length < this.limits.waiting) {
      // leave() hands its slot straight to the first waiter: `running` stays counted for it.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.counts.refusedBusy++;
      throw new CredentialCheckBusy();
    }
    this.counts.maxRunning = Math.max(this.counts.maxRunning, this.running);
  }

  private leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
