/**
 * The relay command's TURN parts (src/relay/cli.ts): `relay serve`'s TURN flags (the addresses
 * given to the peers, relay-only, the credentials' lifetime) read into the relay's TurnSettings,
 * and `relay turn-config`, which writes the turnserver.conf of the deployment's coturn
 * (turn/turnserver-conf.ts) with the same shared secret the relay issues credentials with
 * (turn/turn-secret.ts). The secret is never printed: it goes into the file, written 0600.
 * How to install and run coturn beside the relay: docs/turn.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IceServer } from '../shared/ice.js';
import { UsageError, dataDir, dataOption, parse } from './cli-support.js';
import type { TurnSettings } from './turn/ice-grants.js';
import { turnSecret, TURN_SECRET_ENV } from './turn/turn-secret.js';
import { turnServerConf } from './turn/turnserver-conf.js';

export const TURN_OPTIONS = {
  'turn-url': { type: 'string', multiple: true },
  'turn-relay-only': { type: 'boolean' },
  'turn-ttl': { type: 'string' },
} as const;

export const TURN_USAGE = `              [--turn-url turn:<host>:3478?transport=udp --turn-url turn:<host>:3478?transport=tcp
               --turn-url turns:<host>:443?transport=tcp [--turn-relay-only] [--turn-ttl <seconds, 3600>]]
              TURN (coturn) for the admitted peers; the secret: ${TURN_SECRET_ENV} or <data>/turn-secret
  relay turn-config --realm <host name> [--port 3478] [--listen <ip>]… [--relay-ip <ip>]…
              [--external-ip <ip[/private]>]
              [--tls-port 443 --cert <chain PEM> --key <key PEM>] [--allow-peer <ip[-ip]>]… [--deny-peer <ip[-ip]>]…
              [--out /etc/turnserver.conf] [--data <dir>]   coturn's configuration, with the relay's TURN secret`;

type ServeTurnValues = { 'turn-url'?: string[]; 'turn-relay-only'?: boolean; 'turn-ttl'?: string };

/** The TURN settings `relay serve` was given (flags, else FLXRA_RELAY_TURN_URLS, comma-separated); none without. */
export function serveTurn(values: ServeTurnValues, data: string, env = process.env): TurnSettings | undefined {
  const urls = values['turn-url'] ?? env.FLXRA_RELAY_TURN_URLS?.split(',').map((u) => u.trim());
  if (!urls || urls.length === 0) {
    if (values['turn-relay-only'] || values['turn-ttl'] !== undefined)
      throw new UsageError('--turn-relay-only and --turn-ttl need --turn-url');
    return undefined;
  }
  const checked = IceServer.shape.urls.safeParse(urls);
  if (!checked.success) throw new UsageError(`invalid --turn-url: turn:host:port or turns:host:port (at most 8)`);
  const ttl = values['turn-ttl'] ?? env.FLXRA_RELAY_TURN_TTL;
  if (ttl !== undefined && !/^\d{2,6}$/.test(ttl))
    throw new UsageError(`invalid --turn-ttl "${ttl}": whole seconds, 10 or more`);
  return {
    urls: checked.data,
    secret: turnSecret(data, env[TURN_SECRET_ENV]),
    ...(ttl === undefined ? {} : { ttlMs: Number(ttl) * 1000 }),
    ...(values['turn-relay-only'] ? { relayOnly: true } : {}),
  };
}

function port(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text) || value < 1 || value > 65_535) throw new UsageError(`invalid ${flag} "${text}"`);
  return value;
}

/** `relay turn-config`: writes (or prints, without --out, secret masked) coturn's configuration. */
export function turnConfig(args: string[]): void {
  const { values } = parse({
    args,
    options: {
      realm: { type: 'string' },
      port: { type: 'string' },
      listen: { type: 'string', multiple: true },
      'relay-ip': { type: 'string', multiple: true },
      'external-ip': { type: 'string' },
      'tls-port': { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'allow-peer': { type: 'string', multiple: true },
      'deny-peer': { type: 'string', multiple: true },
      out: { type: 'string' },
      ...dataOption,
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.realm) throw new UsageError('turn-config needs --realm (the relay host name, say)');
  const tlsGiven = [values['tls-port'], values.cert, values.key].filter((v) => v !== undefined).length;
  if (tlsGiven !== 0 && tlsGiven !== 3) throw new UsageError('--tls-port, --cert and --key go together');
  const secret = turnSecret(dataDir(values.data));
  let text: string;
  try {
    text = turnServerConf({
      realm: values.realm,
      secret,
      port: port(values.port, 3478, '--port'),
      ...(values.listen ? { listeningIps: values.listen } : {}),
      ...(values['relay-ip'] ? { relayIps: values['relay-ip'] } : {}),
      ...(values['external-ip'] ? { externalIp: values['external-ip'] } : {}),
      ...(tlsGiven === 3
        ? {
            tls: {
              port: port(values['tls-port'], 443, '--tls-port'),
              cert: path.resolve(values.cert!),
              key: path.resolve(values.key!),
            },
          }
        : {}),
      ...(values['allow-peer'] ? { allowedPeerIps: values['allow-peer'] } : {}),
      ...(values['deny-peer'] ? { deniedPeerIps: values['deny-peer'] } : {}),
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (!values.out) {
    console.log(text.replace(`static-auth-secret=${secret}`, 'static-auth-secret=<the relay TURN secret: use --out>'));
    return;
  }
  // Owner-only from the first byte: it holds the secret.
  const temporary = `${values.out}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  fs.renameSync(temporary, values.out);
  console.log(`wrote ${values.out} (mode 0600; give it to coturn's user, e.g. chown turnserver ${values.out})`);
}
