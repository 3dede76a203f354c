/**
 * The turnserver.conf of a deployment's coturn, made from typed settings so that what keeps
 * TURN from being turned against the deployment is written the same way every time
 * (docs/turn.md):
 *
 * - credentials only from the relay (`use-auth-secret` with the secret the relay holds);
 * - peers refused (403) on every address a relay's machine or its network could offer but the
 *   internet could not: loopback, "this network", RFC 1918, carrier-grade NAT, link-local,
 *   IETF protocol assignments, benchmarking, and their IPv6 equivalents (IPv4-mapped and NAT64
 *   addresses included, which would otherwise reach the same IPv4 ranges), plus any the
 *   deployment adds (its machine's own public addresses); only ranges it explicitly allows are
 *   let through (`allowed-peer-ip` overrides `denied-peer-ip`);
 * - no multicast peers, no TCP relaying (RFC 6062 would open TCP connections to peers), no
 *   telnet CLI, no software version, TLS 1.2 or later.
 *
 * `relay turn-config` writes it (cli-turn.ts); the test rig starts a real turnserver with it
 * (dev/rig/turnserver.ts). The file holds the secret: it is written owner-only.
 */
import net from 'node:net';

export interface TurnServerSettings {
  /** The realm coturn names in its challenges (the relay's host name, say). */
  realm: string;
  /** The secret shared with the relay (static-auth-secret). */
  secret: string;
  /** UDP and TCP port (3478). */
  port: number;
  /** Addresses to listen on; all when empty. */
  listeningIps?: string[];
  /** TLS: its port (443 in production, see docs/turn.md for sharing it) and the certificate chain and key files. */
  tls?: { port: number; cert: string; key: string };
  /** Addresses the relayed endpoints are opened on; coturn chooses when empty. */
  relayIps?: string[];
  /** `public` or `public/private`: the address peers see when coturn is behind NAT. */
  externalIp?: string;
  /** The family of a relayed address the client did not ask for: IPv4 (the RFC's), or the client's own ('keep'). */
  allocationFamily?: 'ipv4' | 'keep';
  /** The relayed endpoints' UDP port range. */
  relayPorts?: { min: number; max: number };
  /** Peer addresses ("ip" or "ip-ip") let through although a denied range holds them. */
  allowedPeerIps?: string[];
  /** More peer addresses to refuse: the machine's own public addresses, for its services that listen on them. */
  deniedPeerIps?: string[];
  /** Where coturn logs ('stdout', or a file) and keeps its pid; Debian's defaults otherwise. */
  logFile?: string;
  pidFile?: string;
  /** coturn's own database (unused with use-auth-secret, but opened); Debian's default otherwise. */
  userDb?: string;
}

/** The ranges no peer address may be in, unless allowed (coturn's `ip-ip` form). */
export const DENIED_PEER_RANGES: ReadonlyArray<{ range: string; why: string }> = [
  { range: '0.0.0.0-0.255.255.255', why: '"this network"' },
  { range: '10.0.0.0-10.255.255.255', why: 'private (RFC 1918)' },
  { range: '100.64.0.0-100.127.255.255', why: 'carrier-grade NAT (RFC 6598)' },
  { range: '127.0.0.0-127.255.255.255', why: 'loopback' },
  { range: '169.254.0.0-169.254.255.255', why: 'link-local' },
  { range: '172.16.0.0-172.31.255.255', why: 'private (RFC 1918)' },
  { range: '192.0.0.0-192.0.0.255', why: 'IETF protocol assignments' },
  { range: '192.168.0.0-192.168.255.255', why: 'private (RFC 1918)' },
  { range: '198.18.0.0-198.19.255.255', why: 'benchmarking' },
  { range: '240.0.0.0-255.255.255.255', why: 'reserved, broadcast' },
  { range: '::1', why: 'loopback' },
  { range: '::ffff:0.0.0.0-::ffff:255.255.255.255', why: 'IPv4-mapped' },
  { range: '64:ff9b::-64:ff9b::ffff:ffff', why: 'NAT64' },
  { range: '64:ff9b:1::-64:ff9b:1:ffff:ffff:ffff:ffff:ffff', why: 'local NAT64' },
  { range: 'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', why: 'unique local' },
  { range: 'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', why: 'link-local' },
  { range: 'fec0::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', why: 'site-local (deprecated)' },
];

const LOOPBACK_V4 = /^127\./;

/** "ip" or "ip-ip", both of one family; throws with a sentence otherwise. */
export function checkPeerRange(text: string): string {
  const [from, to, ...rest] = text.split('-');
  const family = net.isIP(from ?? '');
  if (rest.length > 0 || family === 0 || (to !== undefined && net.isIP(to) !== family))
    throw new Error(`"${text}" is not a peer address or range (an IP address, or two joined by "-")`);
  return text;
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${name} must be a port (1-65535)`);
}

/** Settings that should never reach coturn; a line-break in a value would add settings of its own. */
function checkSettings(s: TurnServerSettings): void {
  const values = [s.realm, s.secret, s.externalIp, s.logFile, s.pidFile, s.userDb, s.tls?.cert, s.tls?.key];
  if (values.some((v) => v !== undefined && /[\r\n]/.test(v))) throw new Error('a TURN setting holds a line break');
  if (s.secret.length < 32) throw new Error('the TURN secret must be at least 32 characters');
  if (!/^[\w.-]{1,253}$/.test(s.realm)) throw new Error(`invalid TURN realm "${s.realm}"`);
  checkPort('the TURN port', s.port);
  if (s.tls) checkPort('the TURN TLS port', s.tls.port);
  for (const ip of [...(s.listeningIps ?? []), ...(s.relayIps ?? [])])
    if (net.isIP(ip) === 0) throw new Error(`"${ip}" is not an IP address`);
  for (const range of [...(s.allowedPeerIps ?? []), ...(s.deniedPeerIps ?? [])]) checkPeerRange(range);
  if (s.relayPorts && !(s.relayPorts.min >= 1024 && s.relayPorts.min < s.relayPorts.max && s.relayPorts.max <= 65_535))
    throw new Error('the relayed port range must be min < max, within 1024-65535');
}

/** The file's text. */
export function turnServerConf(s: TurnServerSettings): string {
  checkSettings(s);
  const lines: string[] = [
    '# Made by `relay turn-config` (flxra, src/relay/turn/turnserver-conf.ts): edit the settings, not this file.',
    '# It holds the secret the relay issues TURN credentials with: keep it owner-only.',
    `listening-port=${s.port}`,
    ...(s.listeningIps ?? []).map((ip) => `listening-ip=${ip}`),
    ...(s.relayIps ?? []).map((ip) => `relay-ip=${ip}`),
    ...(s.externalIp ? [`external-ip=${s.externalIp}`] : []),
    ...(s.relayPorts ? [`min-port=${s.relayPorts.min}`, `max-port=${s.relayPorts.max}`] : []),
    ...(s.allocationFamily === 'keep' ? ['allocation-default-address-family=keep'] : []),
    ...(s.tls
      ? [`tls-listening-port=${s.tls.port}`, `cert=${s.tls.cert}`, `pkey=${s.tls.key}`, 'no-tlsv1', 'no-tlsv1_1']
      : ['no-tls', 'no-dtls']),
    '# Credentials only from the relay (coturn REST API: expiry:id, HMAC-SHA1 of the shared secret).',
    'use-auth-secret',
    `static-auth-secret=${s.secret}`,
    `realm=${s.realm}`,
    'fingerprint',
    '# Nothing reachable only from inside: these peers are refused with 403.',
    ...DENIED_PEER_RANGES.flatMap(({ range, why }) => [`# ${why}`, `denied-peer-ip=${range}`]),
    ...(s.deniedPeerIps ?? []).flatMap((range) => ["# this deployment's own", `denied-peer-ip=${range}`]),
    'no-multicast-peers',
    'no-tcp-relay',
  ];
  const allowed = s.allowedPeerIps ?? [];
  if (allowed.length > 0) {
    lines.push('# Allowed on purpose by this deployment (allowed-peer-ip wins over denied-peer-ip).');
    lines.push(...allowed.map((range) => `allowed-peer-ip=${range}`));
    // coturn refuses every loopback peer on its own unless told otherwise: only for a loopback range allowed here.
    if (allowed.some((range) => LOOPBACK_V4.test(range) || range === '::1')) lines.push('allow-loopback-peers');
  }
  lines.push(
    'no-cli',
    'no-software-attribute',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'stale-nonce=600',
    ...(s.logFile ? [`log-file=${s.logFile}`, 'simple-log'] : []),
    ...(s.pidFile ? [`pidfile=${s.pidFile}`] : []),
    ...(s.userDb ? [`userdb=${s.userDb}`] : []),
  );
  // (coturn would read a "# …" after a value as part of it: comments are lines of their own.)
  return lines.join('\n') + '\n';
}
