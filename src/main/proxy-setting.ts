/**
 * The app's explicit proxy setting (`Proxy_Url`), first step of the proxy resolution the operator
 * and host roles share with the agent (src/platform/proxy/), the first found of:
 *
 *   --proxy <url>              the app's command line (never with a password: every user can read it)
 *   FLXRA_PROXY_URL            the environment (taken out of it: nothing the app starts inherits it)
 *   HKLM\SOFTWARE\flxra\Agent  Proxy_Url (REG_SZ), Windows: the device's setting, the agent's too
 *
 * A password in it moves to the OS keychain (keytar, the app's credential store) and the registry
 * value is rewritten with the user only where the app may write it
 * (src/platform/proxy/setting-keychain.ts); it is never logged. A host the agent started is
 * handed the agent's password over a pipe instead (src/shared/proxy-handover.ts): the setting it
 * inherits names the user only.
 */
import type { CredentialStore } from '../platform/credentials/credential-store.js';
import {
  ProxySettingProblem,
  proxySettingWithKeychain,
  registryProxySetting,
  takeEnvProxySetting,
  PROXY_URL_ENV,
  type FoundProxySetting,
  type HostHandover,
  type ProxySetting,
} from '../platform/proxy/setting-keychain.js';
import { createCommandRunner, type CommandRunner } from '../platform/user-sessions/run-command.js';

export { PROXY_URL_ENV };

export { ProxySettingProblem, type ProxySetting };

export interface AppProxySettingDeps {
  /** `--proxy` (app-options.ts). */
  proxyUrl?: string;
  /** Read, and FLXRA_PROXY_URL deleted from it. */
  env: NodeJS.ProcessEnv;
  credentials: CredentialStore;
  log: (line: string) => void;
  /**
   * The host role: what the agent that started it handed over (src/platform/proxy/handover-read.ts).
   * A password it needs and was not handed is then a sentence for its window.
   */
  host?: HostHandover;
  platform?: NodeJS.Platform;
  /** Windows: how reg.exe runs. */
  run?: CommandRunner;
  systemRoot?: string;
}

function hasPassword(url: string): boolean {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`).password !== '';
  } catch {
    return false;
  }
}

async function findSetting(deps: AppProxySettingDeps): Promise<FoundProxySetting | null> {
  const fromEnv = takeEnvProxySetting(deps.env, 'app');
  if (deps.proxyUrl !== undefined) {
    if (hasPassword(deps.proxyUrl))
      throw new ProxySettingProblem(
        `--proxy: the proxy's password is not taken on the command line, where every user of this computer can read it. Give http://user:password@host:port once in ${PROXY_URL_ENV}: flxra moves the password to the keychain; --proxy http://user@host:port then uses it.`,
      );
    return { value: deps.proxyUrl, from: '--proxy' };
  }
  if (fromEnv) return fromEnv;
  if ((deps.platform ?? process.platform) === 'win32') {
    const fromRegistry = await registryProxySetting(deps.run ?? createCommandRunner(), deps.systemRoot);
    if (fromRegistry) return fromRegistry;
  }
  return null;
}

/** The setting for the resolution; throws ProxySettingProblem when it cannot be used. */
export async function appProxySetting(deps: AppProxySettingDeps): Promise<ProxySetting> {
  return proxySettingWithKeychain(await findSetting(deps), deps.credentials, deps.log, deps.host);
}
