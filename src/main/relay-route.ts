/**
 * How the app's main process reaches a relay, for both roles: the platform's proxy resolution
 * (src/platform/proxy/, the agent's too) run for the relay's address with the app's explicit
 * setting (proxy-setting.ts), the system's proxy and WPAD, its choice and reason logged without
 * credentials, and the Node agent main's own connections then use (socket.io-client's `agent`,
 * relay-client.ts; the JSON calls and the relay's keys, src/platform/proxy/relay-request.ts).
 * A refusal is kept as data: the window says it, and nothing connects (never around a proxy the
 * network put there). The Electron session takes the same choice (index.ts: `session.setProxy`,
 * `app.on('login')`, src/platform/proxy/electron-session.ts). The host role asks `again` at each
 * lost connection, as the agent re-resolves before each reconnection.
 */
import type { Agent } from 'node:http';
import {
  createSystemProxyReader,
  describeProxyChoice,
  platformWpadCandidates,
  proxyAgentFor,
  resolveProxy,
  type SystemProxyReader,
} from '../platform/proxy/index.js';
import { CredentialStoreUnavailable } from '../platform/credentials/credential-store.js';
import type { ProxySetting } from '../platform/proxy/setting-keychain.js';
import { appProxySetting, ProxySettingProblem, type AppProxySettingDeps } from './proxy-setting.js';
import type { RelayRouteShown } from '../shared/ipc.js';
import { ProxyChoice, ProxyRefusal } from '../shared/proxy-choice.js';

export type RelayRoute =
  | {
      ok: true;
      choice: ProxyChoice;
      /** The tunnel for Node's connections; absent: direct. */
      agent?: Agent;
      /** The proxy with its credentials, for the Electron session's proxy sign-in only; never logged. */
      connectVia?: URL;
    }
  | { ok: false; refusal: ProxyRefusal };

export interface RelayRoutes {
  /** The way to this relay: resolved once per relay origin while it works; a refusal is asked again next time. */
  forRelay(relayUrl: string): Promise<RelayRoute>;
  /**
   * The way to this relay resolved afresh, for a reconnection (a proxy gone, another network): a
   * change of way is logged; a refusal is logged and the way that worked kept (as the agent does).
   */
  again(relayUrl: string): Promise<RelayRoute>;
}

export interface RelayRoutesOptions {
  setting: ProxySetting;
  log: (line: string) => void;
  /** Tests: the system's settings and WPAD's addresses as given; the platform's otherwise. */
  system?: (relayUrl: string) => SystemProxyReader;
  wpadUrls?: () => Promise<readonly string[]>;
  probeTimeoutMs?: number;
}

/** The route as the windows' states carry it (RelayRouteShown). */
export function shownRoute(route: RelayRoute | undefined): RelayRouteShown {
  if (!route) return {};
  return route.ok ? { relayRoute: route.choice } : { proxyRefusal: route.refusal };
}

async function resolveRoute(relayUrl: string, opts: RelayRoutesOptions): Promise<RelayRoute> {
  const resolution = await resolveProxy({
    relayUrl,
    ...(opts.setting.setting !== undefined ? { setting: opts.setting.setting } : {}),
    ...(opts.setting.from !== undefined ? { settingFrom: opts.setting.from } : {}),
    system: opts.system?.(relayUrl) ?? createSystemProxyReader(relayUrl),
    wpadUrls: (await opts.wpadUrls?.()) ?? (await platformWpadCandidates()),
    ...(opts.probeTimeoutMs !== undefined ? { probeTimeoutMs: opts.probeTimeoutMs } : {}),
  });
  if (!resolution.ok) {
    // Checked against the shared contract before a window is given it.
    const refusal = ProxyRefusal.parse(resolution.refusal);
    opts.log(`relay connection: not connecting, the proxy refused: ${refusal.message} [${refusal.code}]`);
    return { ok: false, refusal };
  }
  const choice = ProxyChoice.parse(resolution.choice);
  opts.log(describeProxyChoice(choice));
  const agent = proxyAgentFor(resolution);
  return {
    ok: true,
    choice,
    ...(agent ? { agent } : {}),
    ...(resolution.connectVia ? { connectVia: resolution.connectVia } : {}),
  };
}

/** Whether two choices take the same way (the reasons may differ). */
function sameWay(a: ProxyChoice, b: ProxyChoice): boolean {
  return a.kind === b.kind && a.source === b.source && a.url === b.url && a.proxy === b.proxy;
}

function originOf(relayUrl: string): string {
  try {
    return new URL(relayUrl).origin;
  } catch {
    return relayUrl;
  }
}

export function createRelayRoutes(opts: RelayRoutesOptions): RelayRoutes {
  const known = new Map<string, Promise<RelayRoute>>();
  return {
    async again(relayUrl) {
      const key = originOf(relayUrl);
      const before = await known.get(key)?.catch(() => undefined);
      const next = await resolveRoute(relayUrl, { ...opts, log: () => undefined });
      if (!next.ok) {
        opts.log(`relay connection: the way again: the proxy refused: ${next.refusal.message} [${next.refusal.code}]`);
        if (before?.ok) return before;
        return next;
      }
      if (!before?.ok || !sameWay(before.choice, next.choice))
        opts.log(`the way to the relay changed: ${describeProxyChoice(next.choice)}`);
      known.set(key, Promise.resolve(next));
      return next;
    },
    forRelay(relayUrl) {
      const key = originOf(relayUrl);
      const cached = known.get(key);
      if (cached) return cached;
      const route = resolveRoute(relayUrl, opts).then((r) => {
        if (!r.ok) known.delete(key);
        return r;
      });
      known.set(key, route);
      return route;
    },
  };
}

/** A setting that cannot be used (ProxySettingProblem): every relay is refused with its sentence, nothing connects. */
export function refusingRoutes(message: string, log: (line: string) => void): RelayRoutes {
  const refusal = ProxyRefusal.parse({
    code: 'proxy-setting-invalid',
    message: message.slice(0, 2000),
    source: 'setting',
  });
  log(`relay connection: not connecting: ${refusal.message}`);
  return { forRelay: async () => ({ ok: false, refusal }), again: async () => ({ ok: false, refusal }) };
}

/** Node's way to a relay for a request: its tunnel (none: direct, also without routes), or the refusal's sentence. */
export async function tunnelTo(
  routes: RelayRoutes | undefined,
  relayUrl: string,
): Promise<{ ok: true; agent?: Agent } | { ok: false; message: string }> {
  const route = await routes?.forRelay(relayUrl);
  if (route && !route.ok) return { ok: false, message: route.refusal.message };
  return { ok: true, ...(route?.agent ? { agent: route.agent } : {}) };
}

/** A relay's published keys fetched through its route; a refusal is the fetch's error. */
export function keysThrough<T>(
  routes: RelayRoutes | undefined,
  fetchKeys: (relay: string, agent?: Agent) => Promise<T>,
): (relay: string) => Promise<T> {
  return async (relay) => {
    const tunnel = await tunnelTo(routes, relay);
    if (!tunnel.ok) throw new Error(tunnel.message);
    return fetchKeys(relay, tunnel.agent);
  };
}

export interface AppRoutesOptions extends Omit<RelayRoutesOptions, 'setting'>, Omit<AppProxySettingDeps, 'log'> {
  /** The configured relay: resolved at once, before any page or peer exists. */
  relayUrl: string;
}

/**
 * The app's start (index.ts, either role): its setting read (a password moved to the keychain),
 * the configured relay's route resolved; `first` is what the Electron session is given. A setting
 * that cannot be used (or a keychain that is not there for its password) refuses every relay.
 */
export async function startAppRoutes(opts: AppRoutesOptions): Promise<{ routes: RelayRoutes; first: RelayRoute }> {
  let routes: RelayRoutes;
  try {
    const setting = await appProxySetting(opts);
    routes = createRelayRoutes({ ...opts, setting });
  } catch (err) {
    if (!(err instanceof ProxySettingProblem) && !(err instanceof CredentialStoreUnavailable)) throw err;
    routes = refusingRoutes(err.message, opts.log);
  }
  return { routes, first: await routes.forRelay(opts.relayUrl) };
}
