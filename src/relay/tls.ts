/**
 * How the relay's server speaks to the network: HTTPS (and so WSS) with the certificate and key
 * it is given, or plain HTTP, which is fine on this computer (`npm start`, a reverse proxy on the
 * same machine) and nowhere else. What looks wrong at start is said in warnings, before any
 * operator's app or agent refuses the relay for it: plain HTTP reachable from the network with
 * no HTTPS address in front, a public URL clients will not accept, a certificate that has expired
 * or does not name the public URL's host.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { checkRelayUrl, isLoopbackHost, relayUrlProblemMessage } from '../shared/relay-url.js';

/** PEM text: the certificate (with its chain after it, as in a fullchain.pem) and its private key. */
export interface RelayTls {
  cert: string | Buffer;
  key: string | Buffer;
}

/** The certificate or key cannot be used: the relay does not start. */
export class TlsSetupError extends Error {}

const DAY = 24 * 60 * 60_000;

function opensslReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // "error:05800074:x509 certificate routines::key values mismatch" → "key values mismatch"
  return message.replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/i, '');
}

/**
 * The server socket.io and fastify attach to: https when given a certificate. A client that
 * trickles its request (slowloris) is cut off after `headersTimeoutMs` (RelayLimits), the
 * timeouts checked every second rather than Node's 30 s.
 */
export function createRelayServer(tls: RelayTls | undefined, headersTimeoutMs: number): HttpServer {
  const timeouts = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: 3 * headersTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
  };
  if (!tls) return createHttpServer(timeouts);
  try {
    return createHttpsServer({ ...timeouts, cert: tls.cert, key: tls.key });
  } catch (err) {
    throw new TlsSetupError(`the relay's TLS certificate and key cannot be used: ${opensslReason(err)}`, {
      cause: err,
    });
  }
}

/** Replaces the certificate of a running https server (a renewed one): connections open keep theirs. */
export function reloadTls(server: HttpServer, tls: RelayTls): void {
  if (!('setSecureContext' in server)) throw new TlsSetupError('this relay serves plain http: it has no certificate');
  try {
    (server as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key });
  } catch (err) {
    throw new TlsSetupError(`the new TLS certificate and key cannot be used: ${opensslReason(err)}`, { cause: err });
  }
}

export interface TransportFacts {
  /** The address listened on. */
  host: string;
  tls: RelayTls | undefined;
  /** What activation files name as the relay. */
  publicUrl: string;
  now: number;
}

export function transportWarnings({ host, tls, publicUrl, now }: TransportFacts): string[] {
  const warnings: string[] = [];
  const publicCheck = checkRelayUrl(publicUrl);
  const httpsInFront = publicCheck.ok && new URL(publicCheck.url).protocol === 'https:';
  const unspecified = publicCheck.ok && ['0.0.0.0', '[::]'].includes(new URL(publicCheck.url).hostname);
  if (!tls && !isLoopbackHost(host) && !httpsInFront)
    warnings.push(
      `serving plain http on ${host}, reachable from the network, and no https public URL says a TLS proxy is in ` +
        `front: operators' apps and agents elsewhere will refuse this relay. Serve TLS (--tls-cert, --tls-key) or ` +
        `put a reverse proxy on 443 in front and give its https:// address as --public-url (docs/deployment.md).`,
    );
  else if (!publicCheck.ok)
    warnings.push(
      `activation files will name ${publicUrl}, which apps refuse: ${relayUrlProblemMessage(publicCheck.problem)}`,
    );
  else if (unspecified)
    warnings.push(`activation files will name ${publicUrl}, which no client can reach: give --public-url.`);
  if (tls) warnings.push(...certificateWarnings(tls, publicCheck.ok && !unspecified ? publicCheck.url : null, now));
  return warnings;
}

function certificateWarnings(tls: RelayTls, publicUrl: string | null, now: number): string[] {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(tls.cert);
  } catch {
    return []; // the server refused it already if it could not be used at all
  }
  const warnings: string[] = [];
  const validTo = Date.parse(cert.validTo);
  if (validTo <= now) warnings.push(`the TLS certificate expired on ${cert.validTo}: clients refuse it. Renew it.`);
  else if (validTo - now < 14 * DAY) warnings.push(`the TLS certificate expires soon (${cert.validTo}). Renew it.`);
  if (Date.parse(cert.validFrom) > now) warnings.push(`the TLS certificate is not valid before ${cert.validFrom}.`);
  if (publicUrl === null) return warnings;
  const hostname = new URL(publicUrl).hostname.replace(/^\[|\]$/g, '');
  const named = /^[\d.]+$|:/.test(hostname) ? cert.checkIP(hostname) : cert.checkHost(hostname);
  if (named === undefined)
    warnings.push(
      `the TLS certificate does not name ${hostname}, the public URL's host: clients connecting there refuse it.`,
    );
  return warnings;
}

/** Where `relay serve` reads its certificate and key (again on SIGHUP, once renewed). */
export interface TlsFiles {
  cert: string;
  key: string;
}

/** Rereads the files into the running relay (SIGHUP), saying on stdout or stderr how it went. */
export async function reloadTlsFiles(files: TlsFiles, relay: { reloadTls(tls: RelayTls): void }): Promise<void> {
  try {
    relay.reloadTls(await readTlsFiles(files));
    console.log(`TLS certificate reloaded from ${files.cert}`);
  } catch (err) {
    console.error(`flxra relay: kept the current certificate: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function readTlsFiles(files: TlsFiles): Promise<RelayTls> {
  const read = async (what: string, file: string) => {
    try {
      return await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new TlsSetupError(`cannot read the TLS ${what} ${file} (${code})`, { cause: err });
    }
  };
  return { cert: await read('certificate', files.cert), key: await read('key', files.key) };
}
