/**
 * Whether the relay's host is one the system sends direct, by the two conventions there are:
 *
 * - NO_PROXY (curl's and most tools' reading): comma- or space-separated; `*` is every host; an
 *   entry matches the host itself and its subdomains (`example.com` and `.example.com` both match
 *   `relay.example.com`); `host:port` only that port; IP addresses literally; CIDR blocks
 *   (`10.0.0.0/8`) for IPv4.
 * - Windows' ProxyOverride: semicolon-separated globs (`*.corp.example;10.*`), `<local>` for any
 *   host name without a dot.
 *
 * Both lists arrive here already split; each entry says which convention it follows by where it
 * came from (the readers mark ProxyOverride's entries `glob:`).
 */
import net from 'node:net';

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

function inCidr(host: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  if (!net.isIPv4(host) || !net.isIPv4(base) || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToNumber(host) & mask) === (ipv4ToNumber(base) & mask);
}

function globMatch(host: string, glob: string): boolean {
  if (glob === '<local>') return !host.includes('.') && !host.includes(':');
  const pattern = new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return pattern.test(host);
}

function noProxyMatch(host: string, port: string, entry: string): boolean {
  if (entry === '*') return true;
  if (entry.includes('/')) return inCidr(host, entry);
  let name = entry;
  const m = /^(.*?):(\d+)$/.exec(entry);
  if (m && !net.isIPv6(entry)) {
    if (m[2] !== port) return false;
    name = m[1] ?? '';
  }
  name = name
    .replace(/^\[|\]$/g, '')
    .replace(/^\*?\./, '')
    .toLowerCase();
  return host === name || host.endsWith(`.${name}`);
}

/** `bypass` entries: NO_PROXY's as they are, ProxyOverride's prefixed `glob:`. */
export function bypassesProxy(relayUrl: string, bypass: readonly string[]): string | null {
  const u = new URL(relayUrl);
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? '443' : '80');
  for (const raw of bypass) {
    const entry = raw.trim();
    if (!entry) continue;
    const matches = entry.startsWith('glob:')
      ? globMatch(host, entry.slice(5)) || globMatch(`${host}:${port}`, entry.slice(5))
      : noProxyMatch(host, port, entry);
    if (matches) return entry.replace(/^glob:/, '');
  }
  return null;
}
