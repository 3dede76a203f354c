/**
 * The proxy resolution in the terms of an Electron session, as plain data (nothing here imports
 * Electron: src/main/index.ts passes these to `session.setProxy` and answers `app.on('login')`
 * with them), so that the app and the agent reach the relay by the same decision:
 *
 * - `sessionProxyConfig(choice)`: Electron's ProxyConfig for the choice: `direct`, a
 *   `fixed_servers` rule for a proxy (Chromium tunnels websockets, HTTPS and TURN/TCP through it
 *   with CONNECT), a `pac_script` for a PAC file (Chromium evaluates it for every address, as the
 *   resolution did for the relay's). Credentials never go into the rules: Chromium asks for them.
 * - `createProxyLoginAnswerer(connectVia)`: the answer to Chromium's proxy authentication
 *   (`authInfo.isProxy`) with the resolution's credentials, for that proxy only and once: Chromium
 *   keeps credentials that worked, so a second question for the same proxy means they were
 *   refused, and answering again would loop; the app then shows the refusal instead.
 * - `proxyCredentialsFirst(fetchThroughSession, relayUrl)`: one request to the relay through the
 *   session, before any peer connection exists. Chromium's TURN/TCP and TURN/TLS through an
 *   authenticating proxy use only the credentials the session already holds (they never ask,
 *   measured: the peer connection fails); an answered request puts them there.
 */
import { RELAY_KEYS_PATH } from '../../shared/relay-api.js';
import type { ProxyChoice } from './proxy-choice.js';

/** Electron's `ProxyConfig` (the subset flxra sets). */
export type SessionProxyConfig =
  | { mode: 'direct' }
  | { mode: 'fixed_servers'; proxyRules: string; proxyBypassRules: string }
  | { mode: 'pac_script'; pacScript: string };

/** What Electron's `login` event says of the server asking (its `authInfo`). */
export interface LoginAuthInfo {
  isProxy: boolean;
  scheme: string;
  host: string;
  port: number;
  realm: string;
}

export function sessionProxyConfig(choice: ProxyChoice): SessionProxyConfig {
  if (choice.kind === 'pac' && choice.url) return { mode: 'pac_script', pacScript: choice.url };
  if (choice.kind === 'proxy' && choice.url) {
    const proxy = new URL(choice.url);
    // Chromium's rule syntax: scheme://host:port, no path, no credentials.
    return { mode: 'fixed_servers', proxyRules: `${proxy.protocol}//${proxy.host}`, proxyBypassRules: '<local>' };
  }
  return { mode: 'direct' };
}

export type ProxyLoginAnswer =
  { answer: 'credentials'; username: string; password: string } | { answer: 'none'; reason: string };

/** One answerer per resolution; `connectVia` is the proxy the resolution tunnels through, with its credentials. */
export function createProxyLoginAnswerer(connectVia: URL | undefined): (auth: LoginAuthInfo) => ProxyLoginAnswer {
  const asked = new Set<string>();
  return (auth) => {
    if (!auth.isProxy) return { answer: 'none', reason: 'not a proxy asking' };
    if (!connectVia || (!connectVia.username && !connectVia.password))
      return { answer: 'none', reason: 'no credentials are configured for a proxy' };
    const port = Number(connectVia.port || (connectVia.protocol === 'https:' ? 443 : 80));
    const host = connectVia.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (auth.host.replace(/^\[|\]$/g, '').toLowerCase() !== host || auth.port !== port)
      return { answer: 'none', reason: `the credentials are for ${host}:${port}, not ${auth.host}:${auth.port}` };
    if (!/^basic$/i.test(auth.scheme))
      return {
        answer: 'none',
        reason: `the proxy asks for ${auth.scheme} sign-in; Proxy_Url's credentials are for Basic`,
      };
    const key = `${host}:${port}`;
    if (asked.has(key))
      return { answer: 'none', reason: `the proxy ${key} refused the credentials of Proxy_Url (it asked again)` };
    asked.add(key);
    return {
      answer: 'credentials',
      username: decodeURIComponent(connectVia.username),
      password: decodeURIComponent(connectVia.password),
    };
  };
}

/** What `proxyCredentialsFirst` found: the relay answered through the session, or why not (for people). */
export type ProxyCredentialsOutcome = { ok: true; status: number } | { ok: false; reason: string };

/**
 * Makes one request to the relay (its public key set, `GET /.well-known/flxra-keys`) through the
 * session whose proxy the peer connections use (in the app `(url) => session.fetch(url)`, whose
 * proxy question `app.on('login')` answers), and resolves once it was answered. Any answer of the
 * relay's means the proxy let the session through, and the session now holds what it answered
 * the proxy with; a 407 means it holds nothing (no credentials, or refused ones). Call it after
 * `session.setProxy` and before the host page makes its peer; it never throws.
 */
export async function proxyCredentialsFirst(
  fetchThroughSession: (url: string) => Promise<{ status: number }>,
  relayUrl: string,
): Promise<ProxyCredentialsOutcome> {
  const url = new URL(RELAY_KEYS_PATH, relayUrl.replace(/^ws/, 'http')).href;
  try {
    const { status } = await fetchThroughSession(url);
    if (status === 407)
      return { ok: false, reason: 'the proxy asked for credentials and none it accepts were given (407)' };
    return { ok: true, status };
  } catch (err) {
    return { ok: false, reason: `the relay could not be reached through the session: ${(err as Error).message}` };
  }
}
