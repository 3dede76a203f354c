/**
 * The TLS files an administrator gives `relay serve` (src/relay/cli.ts): the flags, their
 * environment variables, the usage line, and the reading of both into the files to serve HTTPS
 * and WSS with (read, and reread on SIGHUP, by tls.ts). A certificate without its key, or the
 * reverse, throws, worded for the command line: it is a mistake, not a wish for plain http.
 */
import path from 'node:path';
import type { TlsFiles } from './tls.js';

export const TLS_OPTIONS = {
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
} as const;

export const TLS_USAGE = `              [--tls-cert <cert PEM, chain after it> --tls-key <key PEM>]   HTTPS/WSS; SIGHUP rereads them`;

/** The files `relay serve` was given (flags, else FLXRA_RELAY_TLS_CERT and FLXRA_RELAY_TLS_KEY); none, plain http. */
export function serveTlsFiles(
  values: Partial<Record<keyof typeof TLS_OPTIONS, string>>,
  env: NodeJS.ProcessEnv = process.env,
): TlsFiles | undefined {
  const cert = values['tls-cert'] ?? env.FLXRA_RELAY_TLS_CERT;
  const key = values['tls-key'] ?? env.FLXRA_RELAY_TLS_KEY;
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new Error('--tls-cert and --tls-key go together');
  return { cert: path.resolve(cert), key: path.resolve(key) };
}
