/**
 * The agent's explicit proxy setting (`Proxy_Url`), first step of the proxy resolution
 * (src/platform/proxy/), from wherever the device's administrator put it, the first found:
 *
 *   --proxy <url>              the command line (never with a password: agent-args.ts refuses it)
 *   FLXRA_PROXY_URL            the service's environment (taken out of it: hosts do not inherit it)
 *   HKLM\SOFTWARE\flxra\Agent  Proxy_Url (REG_SZ), Windows
 *   the configuration file     "Proxy_Url" (config.ts)
 *
 * A password in it (`http://user:password@host:port`) is moved to the agent's keychain (its
 * credential store, credentials.ts) under the proxy's user and address, and the registry value or
 * the file is rewritten with the user only; later runs find the password there again
 * (src/platform/proxy/setting-keychain.ts, which the app shares). The password is never logged.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { CredentialStore } from '../platform/credentials/credential-store.js';
import {
  proxyPasswordAccount,
  ProxySettingProblem,
  proxySettingWithKeychain,
  registryProxySetting,
  takeEnvProxySetting,
  PROXY_URL_ENV,
  type FoundProxySetting,
  type ProxySetting,
} from '../platform/proxy/setting-keychain.js';
import { createCommandRunner, type CommandRunner } from '../platform/user-sessions/run-command.js';
import type { AgentArgs } from './agent-args.js';
import type { AgentConfig } from './config.js';

export { PROXY_URL_ENV };

/** The setting cannot be used as it is (exit code 3); the setting, with its password, for the resolution only. */
export { ProxySettingProblem, proxyPasswordAccount, type ProxySetting as AgentProxySetting };

export interface ProxySettingDeps {
  args: Pick<AgentArgs, 'proxyUrl' | 'configPath'>;
  config: AgentConfig;
  /** Read, and FLXRA_PROXY_URL deleted from it. */
  env: NodeJS.ProcessEnv;
  credentials: CredentialStore;
  log: (line: string) => void;
  platform?: NodeJS.Platform;
  /** Windows: how reg.exe runs. */
  run?: CommandRunner;
  systemRoot?: string;
}

/** Rewrites the configuration file's Proxy_Url, whole (a temporary file, then rename), with the file's mode. */
async function rewriteConfigProxyUrl(file: string, value: string): Promise<void> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  json.Proxy_Url = value;
  const { mode } = await stat(file);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(json, null, 2) + '\n', { mode: mode & 0o777 });
  await rename(partial, file);
}

async function findSetting(deps: ProxySettingDeps): Promise<FoundProxySetting | null> {
  const fromEnv = takeEnvProxySetting(deps.env, 'agent');
  if (deps.args.proxyUrl !== undefined) return { value: deps.args.proxyUrl, from: '--proxy' };
  if (fromEnv) return fromEnv;
  if ((deps.platform ?? process.platform) === 'win32') {
    const fromRegistry = await registryProxySetting(deps.run ?? createCommandRunner(), deps.systemRoot);
    if (fromRegistry) return fromRegistry;
  }
  if (deps.config.Proxy_Url !== undefined)
    return {
      value: deps.config.Proxy_Url,
      from: `Proxy_Url in ${deps.args.configPath}`,
      rewrite: (v) => rewriteConfigProxyUrl(deps.args.configPath, v),
    };
  return null;
}

export async function agentProxySetting(deps: ProxySettingDeps): Promise<ProxySetting> {
  return proxySettingWithKeychain(await findSetting(deps), deps.credentials, deps.log);
}
