/**
 * The limits an administrator tunes on `relay serve` (src/relay/cli.ts): the flags, their
 * environment variables, the usage lines, and the reading of both into `RelayOptions.limits`.
 * A setting that cannot work throws, worded for the command line.
 */
import { TrustedProxies } from './client-address.js';
import { DEFAULT_LIMITS, type RelayLimits } from './settings.js';

export const LIMIT_OPTIONS = {
  'trusted-proxies': { type: 'string' },
  'events-per-second': { type: 'string' },
  'max-queued-kb': { type: 'string' },
  'max-unauthenticated-per-address': { type: 'string' },
} as const;

const d = DEFAULT_LIMITS;
export const LIMITS_USAGE = `              [--trusted-proxies <reverse proxies whose X-Forwarded-For names the client: addresses or
                                  CIDR blocks, comma-separated; none by default>]
              [--events-per-second <messages one connection may send, ${d.eventsPerSecond} (burst ${d.eventBurst})>]
              [--max-queued-kb <kB waiting for a client that is not reading before it is dropped, ${d.maxQueuedBytes / 1024}>]
              [--max-unauthenticated-per-address <connections without a credential per client address, ${d.maxUnauthenticatedPerAddress}>]`;

/** The limits `relay serve` was given (flags, else their environment variables); the rest keep their defaults. */
export function serveLimits(
  values: Partial<Record<keyof typeof LIMIT_OPTIONS, string>>,
  env: NodeJS.ProcessEnv = process.env,
): Partial<RelayLimits> {
  const limits: Partial<RelayLimits> = {};
  const count = (flag: keyof typeof LIMIT_OPTIONS, name: string, apply: (n: number) => void): void => {
    const text = values[flag] ?? env[name];
    if (text === undefined) return;
    if (!/^[1-9]\d{0,8}$/.test(text)) throw new Error(`invalid --${flag} "${text}": a whole number above 0`);
    apply(Number(text));
  };
  count('events-per-second', 'FLXRA_RELAY_EVENTS_PER_SECOND', (n) => {
    limits.eventsPerSecond = n;
    // Five seconds' worth at once, never less than the default burst.
    limits.eventBurst = Math.max(d.eventBurst, 5 * n);
  });
  count('max-queued-kb', 'FLXRA_RELAY_MAX_QUEUED_KB', (n) => (limits.maxQueuedBytes = n * 1024));
  count('max-unauthenticated-per-address', 'FLXRA_RELAY_MAX_UNAUTHENTICATED_PER_ADDRESS', (n) => {
    limits.maxUnauthenticatedPerAddress = n;
  });
  const proxies = values['trusted-proxies'] ?? env.FLXRA_RELAY_TRUSTED_PROXIES;
  if (proxies !== undefined) {
    const entries = proxies
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    // Throws naming the first entry that is no address or block.
    new TrustedProxies(entries);
    limits.trustedProxies = entries;
  }
  return limits;
}
