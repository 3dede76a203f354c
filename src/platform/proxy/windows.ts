/**
 * Windows' proxy settings, from the Internet Settings that the system's own dialog writes, read
 * with reg.exe (its output parsed by the registry editor's reader, reg-query.ts):
 *
 *   HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings
 *     ProxyEnable     REG_DWORD  0x1                      the proxy below is on
 *     ProxyServer     REG_SZ     proxy:8080 | http=a:80;https=b:443;socks=c:1080
 *     ProxyOverride   REG_SZ     <local>;*.corp.example   hosts that go direct
 *     AutoConfigURL   REG_SZ     http://pac.corp/proxy.pac
 *     AutoDetect      REG_DWORD  0x1                      (policy form of "detect automatically")
 *   …\Internet Settings\Connections  DefaultConnectionSettings  REG_BINARY: byte 8's 0x08 flag is
 *     the dialog's "Automatically detect settings".
 *
 * When the account's settings name no proxy (LocalSystem's, the agent service's, rarely do), the
 * machine's WinHTTP proxy is read (windows-winhttp.ts), as Windows' own services use it.
 *
 * A per-protocol list gives an https relay its `https=` entry and a plain one its `http=`; a
 * relay whose scheme is missing from the list goes direct, as Windows does. Parse errors are
 * answers with their reason: the resolution says it and moves on.
 *
 * The agent's own setting lives beside it: `Proxy_Url` (REG_SZ) under HKLM\SOFTWARE\flxra\Agent,
 * which an administrator (or a group policy preference) writes; the agent rewrites it without a
 * password it moved to the keychain.
 */
import path from 'node:path';
import type { CommandRunner } from '../user-sessions/run-command.js';
import { parseRegQuery } from '../tools/registry/reg-query.js';
import { parseWinHttpQuery, WINHTTP_KEY } from './windows-winhttp.js';
import type { SystemProxy, SystemProxyReader } from './proxy-choice.js';

export const INTERNET_SETTINGS_KEY = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';
export const CONNECTIONS_KEY = `${INTERNET_SETTINGS_KEY}\\Connections`;
export const AGENT_SETTINGS_KEY = 'HKLM\\SOFTWARE\\flxra\\Agent';
export const PROXY_URL_VALUE = 'Proxy_Url';

export type InternetSettings = { ok: true; settings: SystemProxy } | { ok: false; error: string };

/** ProxyServer's entry for the relay's scheme: the whole value when it is one address, else `https=`/`http=`. */
export function proxyServerFor(value: string, secure: boolean): string | undefined | { error: string } {
  const text = value.trim();
  if (!text) return undefined;
  if (!text.includes('=')) return text.includes(';') ? { error: `ProxyServer "${text}" is not understood` } : text;
  const entries = new Map<string, string>();
  for (const part of text.split(';')) {
    if (!part.trim()) continue;
    const m = /^\s*([a-z]+)=(.*?)\s*$/i.exec(part);
    if (!m) return { error: `ProxyServer's entry "${part}" is not protocol=host:port` };
    entries.set(m[1]!.toLowerCase(), m[2]!);
  }
  const wanted = entries.get(secure ? 'https' : 'http');
  return wanted || undefined;
}

function asUrl(server: string): string | { error: string } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`;
  try {
    const u = new URL(withScheme);
    if (!u.hostname) return { error: `ProxyServer "${server}" has no host` };
    return withScheme;
  } catch {
    return { error: `ProxyServer "${server}" is not host:port` };
  }
}

/**
 * The Internet Settings key's `reg query` answer (and the Connections key's, when it was read),
 * as the proxy for a relay of that scheme.
 */
export function parseInternetSettings(stdout: string, relayUrl: string, connectionsStdout?: string): InternetSettings {
  const parsed = parseRegQuery(stdout);
  if ('error' in parsed) return { ok: false, error: `Internet Settings: ${parsed.error}` };
  const key = parsed.keys.find((k) => /\\Internet Settings$/i.test(k.key));
  if (!key) return { ok: false, error: 'the answer has no Internet Settings key' };
  const value = (name: string) => key.values.find((v) => v.name.toLowerCase() === name.toLowerCase());
  const dword = (name: string): number | undefined | { error: string } => {
    const v = value(name);
    if (!v) return undefined;
    return v.type === 'REG_DWORD' ? v.data : { error: `${name} is a ${v.type}, not a REG_DWORD` };
  };
  const string = (name: string): string | undefined | { error: string } => {
    const v = value(name);
    if (!v) return undefined;
    return v.type === 'REG_SZ' || v.type === 'REG_EXPAND_SZ'
      ? v.data
      : { error: `${name} is a ${v.type}, not a string` };
  };
  const enable = dword('ProxyEnable');
  const server = string('ProxyServer');
  const override = string('ProxyOverride');
  const autoConfig = string('AutoConfigURL');
  const autoDetect = dword('AutoDetect');
  for (const v of [enable, server, override, autoConfig, autoDetect])
    if (typeof v === 'object') return { ok: false, error: `Internet Settings: ${v.error}` };

  let proxy: string | undefined;
  if (enable === 1 && typeof server === 'string') {
    const entry = proxyServerFor(server, /^(https|wss):$/.test(new URL(relayUrl).protocol));
    if (typeof entry === 'object') return { ok: false, error: `Internet Settings: ${entry.error}` };
    if (entry !== undefined) {
      const url = asUrl(entry);
      if (typeof url === 'object') return { ok: false, error: `Internet Settings: ${url.error}` };
      proxy = url;
    }
  }
  const bypass = (typeof override === 'string' ? override : '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => `glob:${s}`);
  const flags = connectionsStdout === undefined ? undefined : connectionFlags(connectionsStdout);
  if (typeof flags === 'object') return { ok: false, error: `Internet Settings\\Connections: ${flags.error}` };
  const settings: SystemProxy = {
    ...(proxy ? { proxy } : {}),
    bypass,
    ...(typeof autoConfig === 'string' && autoConfig.trim() ? { pacUrl: autoConfig.trim() } : {}),
    autoDetect: autoDetect === 1 || (flags !== undefined && (flags & 0x08) !== 0),
    from: 'Internet Settings',
  };
  return { ok: true, settings };
}

/** DefaultConnectionSettings' flags (byte 8), or undefined when the value is not there. */
export function connectionFlags(stdout: string): number | undefined | { error: string } {
  const parsed = parseRegQuery(stdout);
  if ('error' in parsed) return { error: parsed.error };
  const v = parsed.keys.flatMap((k) => k.values).find((x) => x.name === 'DefaultConnectionSettings');
  if (!v) return undefined;
  if (v.type !== 'REG_BINARY') return { error: `DefaultConnectionSettings is a ${v.type}, not REG_BINARY` };
  if (v.data.length < 18) return { error: 'DefaultConnectionSettings is shorter than its header' };
  return Number.parseInt(v.data.slice(16, 18), 16);
}

const regExe = (systemRoot: string) => path.win32.join(systemRoot, 'System32', 'reg.exe');

/** The WinHTTP proxy as the system's settings for the relay, or undefined when it is direct or not set. */
export function winHttpSystemProxy(stdout: string, relayUrl: string): SystemProxy | undefined | { error: string } {
  const winhttp = parseWinHttpQuery(stdout);
  if (winhttp === undefined || 'error' in winhttp) return winhttp;
  if (!winhttp.server) return undefined;
  const entry = proxyServerFor(winhttp.server, /^(https|wss):$/.test(new URL(relayUrl).protocol));
  if (entry === undefined) return undefined;
  const url = typeof entry === 'object' ? entry : asUrl(entry);
  if (typeof url === 'object') return { error: `WinHTTP: ${url.error}` };
  const bypass = winhttp.bypass
    .split(';')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => `glob:${x}`);
  return { proxy: url, bypass, autoDetect: false, from: 'the WinHTTP proxy (netsh winhttp)' };
}

/**
 * The service account's Internet Settings first; when they name neither a proxy nor a PAC file
 * (LocalSystem's usually do not), the machine's WinHTTP proxy.
 */
export function createWindowsProxyReader(
  relayUrl: string,
  run: CommandRunner,
  systemRoot = 'C:\\Windows',
): SystemProxyReader {
  return {
    async read() {
      const settings = await run(regExe(systemRoot), ['query', INTERNET_SETTINGS_KEY]);
      let own: SystemProxy | null = null;
      // No key at all (a fresh service account's hive): nothing configured there.
      if (settings.code === 0) {
        const connections = await run(regExe(systemRoot), [
          'query',
          CONNECTIONS_KEY,
          '/v',
          'DefaultConnectionSettings',
        ]);
        const answer = parseInternetSettings(
          settings.stdout,
          relayUrl,
          connections.code === 0 ? connections.stdout : undefined,
        );
        if (!answer.ok) return { error: answer.error };
        own = answer.settings;
        if (own.proxy || own.pacUrl) return own;
      }
      const winhttp = await run(regExe(systemRoot), ['query', WINHTTP_KEY, '/v', 'WinHttpSettings', '/reg:64']);
      const machine = winhttp.code === 0 ? winHttpSystemProxy(winhttp.stdout, relayUrl) : undefined;
      if (machine && 'error' in machine) return { error: machine.error };
      // WinHTTP's proxy, keeping what the account's settings said of detection.
      if (machine) return { ...machine, autoDetect: own?.autoDetect ?? false };
      return own;
    },
  };
}

/** The agent's Proxy_Url from its registry key, or undefined when it has none. */
export async function readAgentRegistryProxyUrl(
  run: CommandRunner,
  systemRoot = 'C:\\Windows',
): Promise<string | undefined> {
  const r = await run(regExe(systemRoot), ['query', AGENT_SETTINGS_KEY, '/v', PROXY_URL_VALUE, '/reg:64']);
  if (r.code !== 0) return undefined;
  const parsed = parseRegQuery(r.stdout);
  if ('error' in parsed) throw new Error(`${AGENT_SETTINGS_KEY}\\${PROXY_URL_VALUE}: ${parsed.error}`);
  const v = parsed.keys.flatMap((k) => k.values).find((x) => x.name === PROXY_URL_VALUE);
  if (v && v.type !== 'REG_SZ') throw new Error(`${AGENT_SETTINGS_KEY}\\${PROXY_URL_VALUE} is a ${v.type}, not REG_SZ`);
  return v?.type === 'REG_SZ' && v.data.trim() ? v.data.trim() : undefined;
}

/** Rewrites the agent's Proxy_Url (without its password, which moved to the keychain). */
export async function writeAgentRegistryProxyUrl(
  run: CommandRunner,
  url: string,
  systemRoot = 'C:\\Windows',
): Promise<void> {
  const args = ['add', AGENT_SETTINGS_KEY, '/v', PROXY_URL_VALUE, '/t', 'REG_SZ', '/d', url, '/f', '/reg:64'];
  const r = await run(regExe(systemRoot), args);
  if (r.code !== 0)
    throw new Error(`reg.exe could not rewrite ${AGENT_SETTINGS_KEY}\\${PROXY_URL_VALUE} (exit ${r.code})`);
}
