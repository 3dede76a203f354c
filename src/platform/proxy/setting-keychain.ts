/**
 * What becomes of a password written in an explicit proxy setting (`Proxy_Url`
 * `http://user:password@host:port`), for the agent (src/agent/proxy-setting.ts) and the app
 * (src/main/proxy-setting.ts) alike: it moves to the program's credential store (the OS keychain)
 * under the proxy's user and address, the setting is rewritten with the user only where its
 * source can be rewritten, and a later run with the user only finds the password there again. The
 * password is never logged, and leaves here only inside the URL the resolution tunnels with.
 */
import type { CredentialStore } from '../credentials/credential-store.js';
import type { CommandRunner } from '../user-sessions/run-command.js';
import { readProxySetting } from './resolve.js';
import { readAgentRegistryProxyUrl, writeAgentRegistryProxyUrl } from './windows.js';
import { withoutCredentials } from './proxy-choice.js';
import type { ProxyHandover } from '../../shared/proxy-handover.js';

/** The setting cannot be used as it is: someone must fix it. */
export class ProxySettingProblem extends Error {}

/** An explicit setting as its program found it. */
export interface FoundProxySetting {
  value: string;
  /** Where it was found, in words ("Proxy_Url in /etc/flxra/agent.json", "--proxy"). */
  from: string;
  /** Writes the setting back without its password; absent when the source cannot be rewritten. */
  rewrite?: (withoutPassword: string) => Promise<void>;
  /** Said when it cannot be rewritten (no `rewrite`): how to take the password out, given the user-only setting. */
  takeItOut?: (userOnly: string) => string;
}

/** The setting for the resolution (with its password, for the tunnel only) and where it came from. */
export interface ProxySetting {
  setting?: string;
  from?: string;
}

/** The keychain account of a proxy's password: its user and address. */
export function proxyPasswordAccount(proxy: URL): string {
  return `proxy-password:${decodeURIComponent(proxy.username)}@${proxy.protocol}//${proxy.host}`;
}

/** The environment variable a Proxy_Url can come in (agent and apps alike). */
export const PROXY_URL_ENV = 'FLXRA_PROXY_URL';

/**
 * FLXRA_PROXY_URL as a source (`program` names whose environment it is, for the advice to take a
 * password out of it), taken out of `env` whichever source wins: what this process starts never
 * inherits it.
 */
export function takeEnvProxySetting(env: NodeJS.ProcessEnv, program: string): FoundProxySetting | null {
  const value = env[PROXY_URL_ENV];
  delete env[PROXY_URL_ENV];
  if (!value?.trim()) return null;
  return {
    value,
    from: PROXY_URL_ENV,
    takeItOut: (userOnly) => `take it out of the ${program}'s environment, ${PROXY_URL_ENV}=${userOnly} is enough`,
  };
}

/** Windows: the agent's Proxy_Url under HKLM\SOFTWARE\flxra\Agent, rewritable there; null when unset. */
export async function registryProxySetting(
  run: CommandRunner,
  systemRoot: string | undefined,
): Promise<FoundProxySetting | null> {
  const value = await readAgentRegistryProxyUrl(run, systemRoot).catch((err: unknown) => {
    throw new ProxySettingProblem(`cannot read the device's proxy setting: ${(err as Error).message}`);
  });
  if (value === undefined) return null;
  return {
    value,
    from: 'Proxy_Url in HKLM\\SOFTWARE\\flxra\\Agent',
    rewrite: (v) => writeAgentRegistryProxyUrl(run, v, systemRoot),
  };
}

/** The address as it is written back: the user kept, the password gone, no trailing slash. */
export function userOnlyProxyUrl(proxy: URL): string {
  const kept = new URL(proxy.href);
  kept.password = '';
  return kept.href.replace(/\/$/, '');
}

/**
 * The setting as the hosts an agent starts are given it (their FLXRA_PROXY_URL): the same proxy, with
 * no password (a user's process never gets the machine's proxy password); other forms as they are.
 */
export function hostProxySetting(setting: string): string {
  if (!/^https?:\/\//i.test(setting)) return setting;
  try {
    return userOnlyProxyUrl(new URL(setting));
  } catch {
    return setting;
  }
}

/**
 * What the agent hands a host it starts (src/shared/proxy-handover.ts) for its setting: the
 * password of an explicit proxy with a user and a password, with the user-only address the host's
 * FLXRA_PROXY_URL names; null for a setting without one (a PAC file, direct, no credentials).
 */
export function proxyHandoverFor(setting: string | undefined): ProxyHandover | null {
  if (!setting) return null;
  const parsed = readProxySetting(setting);
  if ('error' in parsed || parsed.kind !== 'proxy' || !parsed.url.username || !parsed.url.password) return null;
  return { v: 1, proxy: userOnlyProxyUrl(parsed.url), password: decodeURIComponent(parsed.url.password) };
}

/** A host's view of the handover, for its setting (src/main/proxy-handover.ts reads it). */
export interface HostHandover {
  /** What the agent handed over, when it did. */
  handed?: ProxyHandover;
  /** Why nothing was handed (in words), for the sentence the host's window shows. */
  missing: string;
}

export async function proxySettingWithKeychain(
  found: FoundProxySetting | null,
  credentials: CredentialStore,
  log: (line: string) => void,
  /** A host (the app's host role, the Chromium stand-in): what its agent handed it. */
  host?: HostHandover,
): Promise<ProxySetting> {
  if (!found) return {};
  const parsed = readProxySetting(found.value);
  if ('error' in parsed) throw new ProxySettingProblem(`${found.from}: ${parsed.error}`);
  if (parsed.kind !== 'proxy') return { setting: found.value, from: found.from };
  const proxy = parsed.url;
  const account = proxyPasswordAccount(proxy);
  if (proxy.password) {
    await credentials.set(account, decodeURIComponent(proxy.password));
    if (found.rewrite) {
      try {
        await found.rewrite(userOnlyProxyUrl(proxy));
        log(
          `the proxy password in ${found.from} was moved to the keychain; the setting now reads ${withoutCredentials(proxy)} with user ${decodeURIComponent(proxy.username)}`,
        );
      } catch (err) {
        log(
          `the proxy password in ${found.from} is kept in the keychain, but the setting could not be rewritten without it (${(err as Error).message}): remove the password from it yourself`,
        );
      }
    } else
      log(
        `the proxy password in ${found.from} is kept in the keychain${found.takeItOut ? `: ${found.takeItOut(userOnlyProxyUrl(proxy))}` : ''}`,
      );
    return { setting: proxy.href, from: found.from };
  }
  if (proxy.username) {
    // A host the agent started: the agent's password, handed over for this very proxy, and no keychain asked.
    if (host?.handed && host.handed.proxy === userOnlyProxyUrl(proxy)) {
      proxy.password = encodeURIComponent(host.handed.password);
      log(`the proxy password for ${withoutCredentials(proxy)} was handed over by the agent that started this host`);
      return { setting: proxy.href, from: found.from };
    }
    if (host?.handed) log(`the agent handed over a proxy password for another proxy than ${found.from}'s: not used`);
    const password = host ? await credentials.get(account).catch(() => null) : await credentials.get(account);
    if (password === null && host)
      throw new ProxySettingProblem(
        `The proxy ${withoutCredentials(proxy)} needs the password of its user ${decodeURIComponent(proxy.username)}, which only this computer's flxra agent holds, and it was not handed to this window (${host.missing}). flxra does not go around the proxy: ask your help desk to start the assistance again (the agent then starts flxra with it), or have the network let the relay through without sign-in.`,
      );
    if (password === null)
      throw new ProxySettingProblem(
        `${found.from} names the proxy user ${decodeURIComponent(proxy.username)}, and no password for it is in the keychain. Write it once in Proxy_Url as http://${decodeURIComponent(proxy.username)}:<password>@${proxy.host}: flxra moves it to the keychain.`,
      );
    proxy.password = encodeURIComponent(password);
  }
  return { setting: proxy.href, from: found.from };
}
