/**
 * The one proxy resolution, in the specification's order, for whichever program reaches the
 * relay (the agent today; the Electron app's session takes its data, see docs/architecture.md):
 *
 *   1. the explicit setting (`Proxy_Url`: a proxy `http://[user:password@]host:port`, a PAC file
 *      `pac+http://…`, or `direct`);
 *   2. the operating system's proxy, when it answers: its PAC file, then its proxy (unless the
 *      relay is in its bypass list, which sends it direct);
 *   3. automatic detection: WPAD's PAC file at `http://wpad/wpad.dat` and its DNS-suffix variants;
 *   4. direct.
 *
 * Every proxy is asked first (probe.ts: the CONNECT the connection will make). One that does not
 * answer, and a PAC file that cannot be fetched, throws or names only dead proxies, move the
 * resolution on, and the reason keeps what was passed over. A proxy that answers and refuses
 * (wrong credentials, credentials needed, NTLM/Negotiate only, no tunnel to the relay) stops it:
 * that proxy is the network's way out, and going around it would hide the problem.
 */
import { evaluatePac, PAC_FETCH_TIMEOUT_MS } from './pac.js';
import { probeProxy, PROBE_TIMEOUT_MS } from './probe.js';
import { bypassesProxy } from './bypass.js';
import { WPAD_TIMEOUT_MS } from './wpad.js';
import {
  withoutCredentials,
  type ProxyChoice,
  type ProxyResolution,
  type ProxySource,
  type SystemProxyReader,
} from './proxy-choice.js';

export interface ResolveProxyOptions {
  /** Where the program connects: its scheme picks the system's proxy, its host and port are the tunnel's end. */
  relayUrl: string;
  /** The explicit setting, with its password when it has one (the caller's keychain gave it back). */
  setting?: string;
  /** Where the setting came from, for the reason ("Proxy_Url in /etc/flxra/agent.json", "--proxy"). */
  settingFrom?: string;
  system: SystemProxyReader;
  /** WPAD's addresses in order (wpad.ts); none skips the step. */
  wpadUrls: readonly string[];
  probeTimeoutMs?: number;
  pacTimeoutMs?: number;
  wpadTimeoutMs?: number;
}

type Step = ProxyResolution | null;

/** The setting's form: a PAC file, direct, or a proxy; or why it is none of them. */
export function readProxySetting(
  setting: string,
): { kind: 'pac'; url: string } | { kind: 'direct' } | { kind: 'proxy'; url: URL } | { error: string } {
  const text = setting.trim();
  if (/^(direct|none)$/i.test(text)) return { kind: 'direct' };
  if (/^pac\+(https?|file):/i.test(text)) return { kind: 'pac', url: text.slice(4) };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return {
      error: `Proxy_Url "${withoutCredentials(text)}" is not an address (http://[user:password@]host:port, pac+http://…/proxy.pac, or direct)`,
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return {
      error: `Proxy_Url: a ${url.protocol.replace(':', '')} proxy is not supported (an http:// or https:// proxy, or pac+http://… for a PAC file)`,
    };
  if (!url.hostname) return { error: 'Proxy_Url has no host' };
  return { kind: 'proxy', url };
}

export async function resolveProxy(opts: ResolveProxyOptions): Promise<ProxyResolution> {
  const passed: string[] = [];
  // Within the shared contract's bound (src/shared/proxy-choice.ts).
  const because = (decided: string) =>
    (passed.length ? `${decided}; before that, ${passed.join('; ')}` : decided).slice(0, 4000);
  const probeTimeout = opts.probeTimeoutMs ?? PROBE_TIMEOUT_MS;

  /** A proxy: chosen when it tunnels, passed over when it does not answer, a refusal when it says no. */
  const viaProxy = async (proxy: URL, source: ProxySource, label: string, pac?: string): Promise<Step> => {
    const said = withoutCredentials(proxy);
    const probe = await probeProxy(proxy, opts.relayUrl, probeTimeout);
    if (probe.outcome === 'unreachable') {
      passed.push(`${label} ${said} did not answer (${probe.reason})`);
      return null;
    }
    if (probe.outcome === 'refused')
      return { ok: false, refusal: { code: probe.code, message: probe.message, proxy: said, source } };
    const note = probe.note ? ` (${probe.note})` : '';
    const choice: ProxyChoice = pac
      ? {
          kind: 'pac',
          source,
          url: withoutCredentials(pac),
          proxy: said,
          reason: because(`${label} ${said} answers${note}`),
        }
      : { kind: 'proxy', source, url: said, reason: because(`${label} ${said} answers${note}`) };
    return { ok: true, choice, connectVia: proxy };
  };

  /** A PAC file: its first way that works, passed over when it fails or names only dead proxies. */
  const viaPac = async (pacUrl: string, source: ProxySource, label: string, timeoutMs: number): Promise<Step> => {
    const said = withoutCredentials(pacUrl);
    const pac = await evaluatePac(pacUrl, opts.relayUrl, timeoutMs);
    if (!pac.ok) {
      passed.push(`${label} ${said} failed (${pac.reason})`);
      return null;
    }
    for (const way of pac.ways) {
      if (way.type === 'direct')
        return {
          ok: true,
          choice: { kind: 'pac', source, url: said, reason: because(`${label} ${said} says DIRECT for the relay`) },
        };
      const step = await viaProxy(way.url, source, `the proxy that ${label} ${said} named,`, pacUrl);
      if (step) return step;
    }
    passed.push(`no proxy ${label} ${said} named ("${pac.answer.slice(0, 120)}") answered`);
    return null;
  };

  // 1. The explicit setting.
  if (opts.setting !== undefined && opts.setting.trim()) {
    const from = opts.settingFrom ?? 'Proxy_Url';
    const setting = readProxySetting(opts.setting);
    if ('error' in setting)
      return { ok: false, refusal: { code: 'proxy-setting-invalid', message: setting.error, source: 'setting' } };
    if (setting.kind === 'direct')
      return { ok: true, choice: { kind: 'direct', source: 'setting', reason: `${from} says direct` } };
    const step =
      setting.kind === 'pac'
        ? await viaPac(setting.url, 'setting', `the PAC file of ${from}`, opts.pacTimeoutMs ?? PAC_FETCH_TIMEOUT_MS)
        : await viaProxy(setting.url, 'setting', `the proxy of ${from}`);
    if (step) return step;
  }

  // 2. The operating system's.
  const system = await opts.system.read().catch((err: unknown) => ({ error: (err as Error).message }));
  if (system && 'error' in system) passed.push(`the system's proxy settings could not be read (${system.error})`);
  else if (system) {
    if (system.pacUrl) {
      const step = await viaPac(
        system.pacUrl,
        'system',
        `the PAC file of ${system.from}`,
        opts.pacTimeoutMs ?? PAC_FETCH_TIMEOUT_MS,
      );
      if (step) return step;
    }
    if (system.proxy) {
      const bypass = bypassesProxy(opts.relayUrl, system.bypass);
      if (bypass !== null)
        return {
          ok: true,
          choice: {
            kind: 'direct',
            source: 'system',
            reason: because(`the relay is in ${system.from}'s bypass list ("${bypass}")`),
          },
        };
      let proxy: URL | null = null;
      try {
        proxy = new URL(system.proxy);
      } catch {
        passed.push(`the proxy of ${system.from} "${withoutCredentials(system.proxy)}" is not an address`);
      }
      if (proxy) {
        const step = await viaProxy(proxy, 'system', `the proxy of ${system.from}`);
        if (step) return step;
      }
    }
    if (!system.pacUrl && !system.proxy) passed.push(`${system.from} names no proxy`);
  } else passed.push('the system has no proxy settings');

  // 3. Automatic detection.
  for (const wpad of opts.wpadUrls) {
    const step = await viaPac(wpad, 'wpad', 'automatic detection (WPAD):', opts.wpadTimeoutMs ?? WPAD_TIMEOUT_MS);
    if (step) return step;
  }

  // 4. Direct.
  return {
    ok: true,
    choice: { kind: 'direct', source: 'none', reason: because('no proxy is configured or detected') },
  };
}
