/**
 * Slows down failed console sign-ins where they come from, never for the account as a whole: a
 * flood of wrong passwords against an account must not keep its owner out from their own desk.
 * Failures are counted per client address (its /64 for IPv6, where one host holds a whole
 * block) and per account-and-address pair; past a few free ones, each further failure makes that
 * key wait twice as long as the last, up to 15 minutes, before the relay checks another password
 * for it (attempts meanwhile are refused unchecked: no scrypt work, no log line). The right
 * password from another address gets in at once. Wrong second-factor codes after the right
 * password also slow down the account itself (whoever sends them holds its password already, so
 * only they can cause that wait): codes cannot be guessed from many addresses at once. A success
 * clears its pair (not its address); a key quiet for an hour is forgotten. In memory only,
 * bounded: a relay restart forgives the last failures, and past MAX_KEYS the least recently
 * failed keys go first.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Clock } from '../clock.js';

interface Tally {
  failures: number;
  lastFailureAt: number;
}

/** Failures each key has before it waits at all, and how the wait grows. */
const FREE_PER_ADDRESS = 10;
const FREE_PER_PAIR = 3;
const FREE_CODES_PER_ACCOUNT = 5;
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 15 * 60_000;
const FORGET_AFTER_MS = 60 * 60_000;
/** Keys kept at most (each a few dozen bytes): many addresses cannot grow memory for ever. */
export const MAX_KEYS = 20_000;

export interface ThrottleWait {
  waitMs: number;
  /** What waits: the address (any account from it), this account from this address, or its codes. */
  scope: 'address' | 'pair' | 'codes';
}

/**
 * The key for a client address: IPv4 (also when mapped into IPv6) as it is, IPv6 as its /64.
 * `address` is fastify's request.ip (the trusted proxy's client address when one is set up).
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

function waitAfter(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(failures - free, 20));
}

export class LoginThrottle {
  private readonly tallies = new Map<string, Tally>();

  constructor(private readonly clock: Clock) {}

  /** How long this username must wait before trying from this address, and why; null when it may now. */
  wait(username: string, address: string): ThrottleWait | null {
    const now = this.clock.now();
    const byAddress = this.remaining(this.addressKey(address), FREE_PER_ADDRESS, now);
    const byPair = this.remaining(this.pairKey(username, address), FREE_PER_PAIR, now);
    if (byAddress <= 0 && byPair <= 0) return null;
    return byPair >= byAddress ? { waitMs: byPair, scope: 'pair' } : { waitMs: byAddress, scope: 'address' };
  }

  /**
   * An attempt about to be checked counts as a failure at once, before its password is (scrypt
   * takes a while): attempts sent together cannot all slip past the same free count. The answer
   * takes it back when it was not a failure.
   */
  attempt(username: string, address: string): { forgive(): void; succeeded(): void } {
    const now = this.clock.now();
    const [byAddress, byPair] = [this.addressKey(address), this.pairKey(username, address)];
    for (const key of [byAddress, byPair]) this.count(key, now);
    this.bound(now);
    return {
      /** Not a failure after all (a second factor asked for): counted for neither key. */
      forgive: () => [byAddress, byPair].forEach((key) => this.uncount(key)),
      /** Signed in: the pair starts again; the address keeps its earlier failures. */
      succeeded: () => {
        this.uncount(byAddress);
        this.tallies.delete(byPair);
      },
    };
  }

  /** After the right password: how long the account's second-factor codes must wait; null when not. */
  codeWait(username: string): ThrottleWait | null {
    const waitMs = this.remaining(this.codeKey(username), FREE_CODES_PER_ACCOUNT, this.clock.now());
    return waitMs > 0 ? { waitMs, scope: 'codes' } : null;
  }

  /** A wrong code after the right password (counted besides `failed`). */
  codeFailed(username: string): void {
    const now = this.clock.now();
    this.count(this.codeKey(username), now);
    this.bound(now);
  }

  codeSucceeded(username: string): void {
    this.tallies.delete(this.codeKey(username));
  }

  /** How many keys are remembered (the abuse tests' bound). */
  get size(): number {
    return this.tallies.size;
  }

  private addressKey(address: string): string {
    return `addr ${addressKey(address)}`;
  }

  private codeKey(username: string): string {
    return `codes ${username.toLowerCase()}`;
  }

  private pairKey(username: string, address: string): string {
    return `pair ${addressKey(address)} ${username.toLowerCase()}`;
  }

  /** One more failure; the key moves to the end (the most recently failed). */
  private count(key: string, now: number): void {
    const tally = this.current(key, now);
    this.tallies.delete(key);
    this.tallies.set(key, { failures: (tally?.failures ?? 0) + 1, lastFailureAt: now });
  }

  private uncount(key: string): void {
    const tally = this.tallies.get(key);
    if (!tally) return;
    if (tally.failures <= 1) this.tallies.delete(key);
    else tally.failures--;
  }

  private remaining(key: string, free: number, now: number): number {
    const tally = this.current(key, now);
    return tally ? tally.lastFailureAt + waitAfter(tally.failures, free) - now : 0;
  }

  /** The key's tally, unless it has been quiet long enough to be forgotten. */
  private current(key: string, now: number): Tally | undefined {
    const tally = this.tallies.get(key);
    if (tally && now - tally.lastFailureAt > FORGET_AFTER_MS) {
      this.tallies.delete(key);
      return undefined;
    }
    return tally;
  }

  private bound(now: number): void {
    if (this.tallies.size <= MAX_KEYS) return;
    for (const [key, tally] of this.tallies) if (now - tally.lastFailureAt > FORGET_AFTER_MS) this.tallies.delete(key);
    // Least recently failed first (a failure moves its key to the end).
    for (const key of this.tallies.keys()) {
      if (this.tallies.size <= MAX_KEYS) break;
      this.tallies.delete(key);
    }
  }
}
