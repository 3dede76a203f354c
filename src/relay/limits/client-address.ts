/**
 * Who a client is by address, for the limits kept per address (unauthenticated sockets, failed
 * console sign-ins). It is the peer of the TCP connection, unless that peer is one of the
 * reverse proxies the administrator named: then X-Forwarded-For is read from its right end
 * (what the nearest proxy appended) past every trusted proxy, and the first address not
 * trusted is the client's. From any other peer the header is ignored, since anyone can send one.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly any: boolean;

  /** Addresses or CIDR blocks ('10.0.0.0/8', '::1'); throws naming an entry that is neither. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix, ...rest] = entry.trim().split('/');
      const family = isIP(address);
      const bits = prefix === undefined ? null : Number(prefix);
      const max = family === 4 ? 32 : 128;
      if (family === 0 || rest.length > 0 || (bits !== null && !(Number.isInteger(bits) && bits >= 0 && bits <= max)))
        throw new Error(`invalid trusted proxy "${entry}": an IP address or a CIDR block (10.0.0.0/8)`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === null) this.list.addAddress(address, type);
      else this.list.addSubnet(address, bits, type);
    }
    this.any = entries.length > 0;
  }

  trusts(address: string): boolean {
    const normal = this.any ? normalise(address) : null;
    return normal !== null && this.list.check(normal, isIPv4(normal) ? 'ipv4' : 'ipv6');
  }

  /** The client's address for a connection from `peer` carrying `forwardedFor` (X-Forwarded-For). */
  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let address = normalise(peer ?? '') ?? 'unknown';
    if (!this.trusts(address) || forwardedFor === undefined) return address;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    for (let i = hops.length - 1; i >= 0 && this.trusts(address); i--) {
      const hop = normalise(hops[i]!.trim());
      // A malformed entry ends the chain: the last address vouched for stands.
      if (hop === null) break;
      address = hop;
    }
    return address;
  }
}

/** The address as the limits key it: IPv4 clients on a dual-stack socket lose their ::ffff: prefix. */
function normalise(address: string): string | null {
  if (isIP(address) === 0) return null;
  const mapped = /^::ffff:(.+)$/i.exec(address)?.[1];
  return mapped !== undefined && isIPv4(mapped) ? mapped : address.toLowerCase();
}
