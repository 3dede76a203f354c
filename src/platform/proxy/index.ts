/**
 * The proxy resolution's entry for programs: the system reader of this platform (Linux: the
 * environment and GNOME's setting; Windows: Internet Settings through reg.exe), WPAD's addresses,
 * and the resolution itself (resolve.ts). Node programs tunnel through its `connectVia` with
 * https-proxy-agent (`proxyAgentFor`); the Electron app hands the same choice to its session
 * (electron-session.ts: `session.setProxy`'s config, the answer to `app.on('login')`).
 */
import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { createCommandRunner, type CommandRunner } from '../user-sessions/run-command.js';
import { createLinuxProxyReader } from './linux.js';
import type { ProxyResolution, SystemProxyReader } from './proxy-choice.js';
import { createWindowsProxyReader } from './windows.js';
import { linuxWpadCandidates, wpadCandidates } from './wpad.js';

export * from './proxy-choice.js';
export { resolveProxy, readProxySetting, type ResolveProxyOptions } from './resolve.js';
export * from './electron-session.js';

export interface PlatformProxyOptions {
  env?: NodeJS.ProcessEnv;
  run?: CommandRunner;
  systemRoot?: string;
}

export function createSystemProxyReader(
  relayUrl: string,
  platform: NodeJS.Platform = process.platform,
  opts: PlatformProxyOptions = {},
): SystemProxyReader {
  const run = opts.run ?? createCommandRunner(5_000);
  if (platform === 'win32') return createWindowsProxyReader(relayUrl, run, opts.systemRoot ?? process.env.SystemRoot);
  return createLinuxProxyReader(relayUrl, opts.env ?? process.env, run);
}

export async function platformWpadCandidates(platform: NodeJS.Platform = process.platform): Promise<string[]> {
  return platform === 'win32' ? wpadCandidates([]) : linuxWpadCandidates();
}

/** The Node agent for a resolution: a CONNECT tunnel through its proxy (credentials included), none when direct. */
export function proxyAgentFor(resolution: Extract<ProxyResolution, { ok: true }>): Agent | undefined {
  return resolution.connectVia ? new HttpsProxyAgent(resolution.connectVia) : undefined;
}
