/**
 * How the relay recognises the machine credentials it hands out (operator, device and agent
 * tokens, enrolment tokens, host tokens, console session ids): HMAC-SHA-256 of the token under
 * the relay's token pepper (pepper.ts), a secret kept outside the database. These tokens carry
 * 256 random bits, so a slow hash would protect nothing and only give whoever throws wrong
 * tokens at the relay a CPU to burn; one HMAC costs about a microsecond. And without the pepper,
 * a copy of the database allows no offline check of a token at all.
 *
 * Every check computes exactly one HMAC and makes exactly one constant-time comparison, against a
 * dummy value when there is no record: an unknown id and a known id with a wrong secret cost the
 * same. The counters say so (tests assert them; the relay's handle exposes them).
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const PEPPER_BYTES = 32;
export const MAC_BYTES = 32;

export interface TokenMacCounts {
  /** HMACs computed. */
  macs: number;
  /** Constant-time comparisons made (against the record's MAC, or the dummy when there is none). */
  comparisons: number;
}

export class TokenMac {
  private readonly counts: TokenMacCounts = { macs: 0, comparisons: 0 };
  /** What an absent record is compared with: random, so no token matches it. */
  private readonly dummy = randomBytes(MAC_BYTES);

  constructor(private readonly pepper: Buffer) {
    if (pepper.length < PEPPER_BYTES) throw new Error(`the token pepper must have at least ${PEPPER_BYTES} bytes`);
  }

  /** The value stored for (and looked up by) a token. */
  of(token: string): Buffer {
    this.counts.macs++;
    return createHmac('sha256', this.pepper).update(token, 'utf8').digest();
  }

  /** Whether `mac` (of the token presented) is the one stored; `stored` null: compared with the dummy, false. */
  equal(mac: Buffer, stored: Buffer | null): boolean {
    this.counts.comparisons++;
    const expected = stored?.length === MAC_BYTES ? stored : this.dummy;
    return timingSafeEqual(mac, expected) && expected === stored;
  }

  /** One HMAC and one comparison, whether or not there is a record. */
  matches(token: string, stored: Buffer | null): boolean {
    return this.equal(this.of(token), stored);
  }

  /**
   * The row keyed by a token's MAC (enrolment tokens, console sessions: looked up by it, so no id
   * to aim at), or one from before the pepper, keyed by the token's SHA-256 then: found that way
   * once, it is re-keyed with the MAC on the spot. `key` is the MAC either way.
   */
  findKeyed<R>(
    token: string,
    find: (key: Buffer) => R | null,
    rekey: (from: Buffer, to: Buffer) => void,
  ): { record: R; key: Buffer } | null {
    const key = this.of(token);
    const record = find(key);
    if (record !== null) return { record, key };
    const old = createHash('sha256').update(token, 'utf8').digest();
    const legacy = find(old);
    if (legacy === null) return null;
    rekey(old, key);
    return { record: legacy, key };
  }

  /** A copy of the counters so far. */
  stats(): TokenMacCounts {
    return { ...this.counts };
  }

  /**
   * A key for another of the relay's secrets at rest (the console's second factors), derived
   * from the pepper with HKDF-SHA-256 under its own `purpose`: never any token's MAC, and as
   * absent from a copy of the database as the pepper itself.
   */
  derivedKey(purpose: string, bytes = 32): Buffer {
    return Buffer.from(hkdfSync('sha256', this.pepper, 'flxra relay derived key', purpose, bytes));
  }

  /** What a copy of the database may hold to tell this pepper from another (not a way to check tokens). */
  fingerprint(): Buffer {
    return createHmac('sha256', this.pepper).update('flxra token pepper fingerprint').digest();
  }
}
