/**
 * Asks a proxy, once and briefly, whether it will open a tunnel to the relay: the same HTTP
 * CONNECT the real connection makes (websocket and HTTPS alike go through CONNECT), with the
 * credentials it will carry. The answer decides the resolution's next move:
 *
 * - no answer (refused, no such host, timeout): `unreachable`, the next step of the order;
 * - 407 (or 401, which tinyproxy sends for wrong credentials) after credentials were sent: refused,
 *   stop; without credentials: they are needed, stop; a Proxy-Authenticate offering only NTLM or
 *   Negotiate is said as such;
 * - another refusal (403, 405…): the proxy will not take us to the relay, stop;
 * - 200, or a gateway error (500 from tinyproxy, 502, 503, 504 from others: the proxy answered
 *   but could not reach the relay now): the proxy is the way, and the relay's own state is for
 *   the connection to find out.
 */
import http from 'node:http';
import https from 'node:https';
import type { ProxyRefusalCode } from './proxy-choice.js';
import { withoutCredentials } from './proxy-choice.js';

export type ProbeOutcome =
  | { outcome: 'works'; note?: string }
  | { outcome: 'unreachable'; reason: string }
  | { outcome: 'refused'; code: ProxyRefusalCode; message: string };

export const PROBE_TIMEOUT_MS = 5_000;

/** The target of the CONNECT: the relay's host and port. */
export function tunnelTarget(relayUrl: string): string {
  const u = new URL(relayUrl);
  const port = u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? '443' : '80');
  return `${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${port}`;
}

/** The Proxy-Authorization a proxy address's user and password give (Basic), or none. */
export function basicProxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

/** The schemes of every Proxy-Authenticate (or WWW-Authenticate) challenge, lowercased. */
export function challengeSchemes(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  // Several challenges may share one line, comma-separated; a scheme is a token followed by a space or the end.
  return values.flatMap((v) =>
    v
      .split(',')
      .map((part) => /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s|$)/.exec(part)?.[1]?.toLowerCase())
      .filter((s): s is string => s !== undefined && !s.includes('=')),
  );
}

function authRefusal(status: number, schemes: string[], sentCredentials: boolean, proxy: string): ProbeOutcome {
  const integrated = schemes.length > 0 && schemes.every((s) => s === 'ntlm' || s === 'negotiate');
  if (integrated)
    return {
      outcome: 'refused',
      code: 'proxy-integrated-auth-only',
      message: `The proxy ${proxy} accepts only Windows integrated sign-in (${schemes.map((s) => (s === 'ntlm' ? 'NTLM' : 'Negotiate')).join(', ')}), which flxra does not support. Ask your network administrator for a proxy account with Basic authentication, or to let flxra's relay through without sign-in.`,
    };
  if (sentCredentials)
    return {
      outcome: 'refused',
      code: 'proxy-credentials-refused',
      message: `The proxy ${proxy} refused the user name and password it was given (HTTP ${status}). flxra does not go around a configured proxy: correct Proxy_Url's credentials and start again.`,
    };
  return {
    outcome: 'refused',
    code: 'proxy-credentials-needed',
    message: `The proxy ${proxy} asks for a user name and password (HTTP ${status}) and none is configured for it: set Proxy_Url to http://user:password@host:port (the password is then kept in the keychain).`,
  };
}

/** Whether the proxy tunnels to the relay; never throws. `proxy` may carry credentials: they are sent, never said. */
export function probeProxy(proxy: URL, relayUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeOutcome> {
  const said = withoutCredentials(proxy);
  const authorization = basicProxyAuthorization(proxy);
  const target = tunnelTarget(relayUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(outcome);
    };
    const fromStatus = (status: number, headers: http.IncomingHttpHeaders): ProbeOutcome => {
      if (status >= 200 && status < 300) return { outcome: 'works' };
      if (status === 407 || status === 401)
        return authRefusal(
          status,
          challengeSchemes(headers['proxy-authenticate'] ?? headers['www-authenticate']),
          authorization !== undefined,
          said,
        );
      if (status === 500 || status === 502 || status === 503 || status === 504)
        return { outcome: 'works', note: `it could not reach the relay just now (HTTP ${status})` };
      return {
        outcome: 'refused',
        code: 'proxy-refused-tunnel',
        message: `The proxy ${said} will not open a connection to the relay ${target} (HTTP ${status}). Ask your network administrator to allow it (TCP port ${target.split(':').pop()}).`,
      };
    };
    const client = proxy.protocol === 'https:' ? https : http;
    const req = client.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...(authorization ? { 'proxy-authorization': authorization } : {}) },
      agent: false,
    });
    req.setTimeout(timeoutMs, () => done({ outcome: 'unreachable', reason: `no answer within ${timeoutMs} ms` }));
    req.on('connect', (res, socket) => {
      socket.destroy();
      done(fromStatus(res.statusCode ?? 0, res.headers));
    });
    req.on('response', (res) => {
      res.resume();
      done(fromStatus(res.statusCode ?? 0, res.headers));
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ outcome: 'unreachable', reason: err.code ? `${err.code}` : err.message }),
    );
    req.end();
  });
}
