/**
 * How the agent reaches its relay: the platform's proxy resolution (src/platform/proxy/) run once
 * at start with the agent's explicit setting (proxy-setting.ts), its choice and reason logged
 * without credentials, and the Node agent every connection to the relay then uses (the enrolment
 * requests, src/platform/proxy/relay-request.ts, and the socket.io connection, agent.ts). A refusal (the proxy refused
 * the credentials, wants NTLM/Negotiate, will not tunnel) stops the agent with its message: it
 * never goes around a proxy the network put there. Before each reconnection the resolution runs
 * again (`rerouting`): a proxy that went away is passed over as at start, and a change is logged.
 */
import type { Agent as HttpAgent } from 'node:http';
import {
  createSystemProxyReader,
  describeProxyChoice,
  platformWpadCandidates,
  proxyAgentFor,
  resolveProxy,
  type ProxyChoice,
  type ProxyRefusal,
  type SystemProxyReader,
} from '../platform/proxy/index.js';
import type { AgentProxySetting } from './proxy-setting.js';

/** A proxy said no: someone must act (exit code 3). Its refusal is kept as data. */
export class ProxyRefused extends Error {
  constructor(readonly refusal: ProxyRefusal) {
    super(`cannot reach the relay through the proxy: ${refusal.message} [${refusal.code}]`);
  }
}

export interface RelayRoute {
  choice: ProxyChoice;
  /** Absent: direct. */
  agent?: HttpAgent;
}

export interface RelayRouteDeps {
  log: (line: string) => void;
  /** Tests: the system's settings and WPAD's addresses as given; the platform's otherwise. */
  system?: SystemProxyReader;
  wpadUrls?: readonly string[];
}

/** Whether two choices take the same way (the reasons may differ). */
export function sameWay(a: ProxyChoice, b: ProxyChoice): boolean {
  return a.kind === b.kind && a.source === b.source && a.url === b.url && a.proxy === b.proxy;
}

/**
 * The route again, for a reconnection: said in the log only when the way changed; a refusal is
 * said and the previous way kept (the agent is running: it keeps trying, and the log says why).
 */
export function rerouting(
  relayUrl: string,
  setting: AgentProxySetting,
  first: RelayRoute,
  deps: RelayRouteDeps,
): () => Promise<HttpAgent | undefined> {
  let current = first;
  return async () => {
    try {
      const next = await resolveRelayRoute(relayUrl, setting, { ...deps, log: () => undefined });
      if (!sameWay(next.choice, current.choice))
        deps.log(`the way to the relay changed: ${describeProxyChoice(next.choice)}`);
      current = next;
    } catch (err) {
      deps.log((err as Error).message);
    }
    return current.agent;
  };
}

export async function resolveRelayRoute(
  relayUrl: string,
  setting: AgentProxySetting,
  deps: RelayRouteDeps,
): Promise<RelayRoute> {
  const resolution = await resolveProxy({
    relayUrl,
    ...(setting.setting !== undefined ? { setting: setting.setting } : {}),
    ...(setting.from !== undefined ? { settingFrom: setting.from } : {}),
    system: deps.system ?? createSystemProxyReader(relayUrl),
    wpadUrls: deps.wpadUrls ?? (await platformWpadCandidates()),
  });
  if (!resolution.ok) throw new ProxyRefused(resolution.refusal);
  deps.log(describeProxyChoice(resolution.choice));
  const agent = proxyAgentFor(resolution);
  return { choice: resolution.choice, ...(agent ? { agent } : {}) };
}
