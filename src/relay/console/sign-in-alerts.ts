/**
 * What administrators are shown about sign-ins tried as an attacker would: repeated failures from
 * one address, or against one account from any number of addresses (which the per-address
 * throttle does not slow down on purpose: the account's owner must still get in). A subject
 * counts its wrong passwords and codes, and the attempts refused unchecked while it waited; once
 * it has ALERT_AFTER of them within an hour of each other it is an alert, listed on the console
 * (GET /sign-in-alerts) until it has been quiet for an hour, and written once to the audit trail
 * (`sign-in.alert`) when it starts. In memory, bounded like the throttle.
 */
import type { SignInAlert } from '../../shared/console-security.js';
import type { Clock } from '../clock.js';
import { addressKey } from './login-throttle.js';

/** Failed or refused attempts before a subject is an alert. */
export const ALERT_AFTER = 10;
const QUIET_MS = 60 * 60_000;
const MAX_SUBJECTS = 10_000;
/** Distinct addresses remembered per account (only their number is shown). */
const MAX_ADDRESSES_PER_ACCOUNT = 1_000;

interface Episode {
  failures: number;
  refused: number;
  firstAt: number;
  lastAt: number;
  addresses: Set<string>;
  alerted: boolean;
}

export class SignInAlerts {
  private readonly episodes = new Map<string, Episode & { kind: SignInAlert['kind']; subject: string }>();

  /** `raised`: told once when an alert starts (the audit trail records it). */
  constructor(
    private readonly clock: Clock,
    private readonly raised: (alert: SignInAlert) => void,
  ) {}

  /**
   * A wrong password or code (`refused`: an attempt turned away while it waited). `account` is
   * the username when it names a console user, else null (an unknown one is not an account).
   */
  attempt(address: string, account: string | null, outcome: 'failed' | 'refused'): void {
    const from = addressKey(address);
    this.count('address', from, from, outcome);
    if (account !== null) this.count('account', account.toLowerCase(), from, outcome);
  }

  /** Alerts whose last attempt is within the hour, most recent first. */
  list(): SignInAlert[] {
    const now = this.clock.now();
    return [...this.episodes.values()]
      .filter((e) => e.alerted && now - e.lastAt <= QUIET_MS)
      .sort((a, b) => b.lastAt - a.lastAt)
      .map((e) => shown(e));
  }

  /** Subjects remembered (the abuse tests' bound). */
  get size(): number {
    return this.episodes.size;
  }

  private count(kind: SignInAlert['kind'], subject: string, address: string, outcome: 'failed' | 'refused'): void {
    const now = this.clock.now();
    const key = `${kind} ${subject}`;
    let episode = this.episodes.get(key);
    if (!episode || now - episode.lastAt > QUIET_MS) {
      episode = {
        kind,
        subject,
        failures: 0,
        refused: 0,
        firstAt: now,
        lastAt: now,
        addresses: new Set(),
        alerted: false,
      };
    }
    this.episodes.delete(key);
    this.episodes.set(key, episode);
    episode[outcome === 'failed' ? 'failures' : 'refused']++;
    episode.lastAt = now;
    if (episode.addresses.size < MAX_ADDRESSES_PER_ACCOUNT) episode.addresses.add(address);
    if (!episode.alerted && episode.failures + episode.refused >= ALERT_AFTER) {
      episode.alerted = true;
      this.raised(shown(episode));
    }
    // The least recently attempted go first.
    for (const old of this.episodes.keys()) {
      if (this.episodes.size <= MAX_SUBJECTS) break;
      this.episodes.delete(old);
    }
  }
}

function shown(e: Episode & { kind: SignInAlert['kind']; subject: string }): SignInAlert {
  return {
    kind: e.kind,
    subject: e.subject,
    failures: e.failures,
    refused: e.refused,
    addresses: e.addresses.size,
    firstAt: new Date(e.firstAt).toISOString(),
    lastAt: new Date(e.lastAt).toISOString(),
  };
}
