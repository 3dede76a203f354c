/**
 * Linux's proxy settings, as the programs of a Linux machine read them: the environment
 * (HTTPS_PROXY for an https relay, HTTP_PROXY for a plain one, either case; NO_PROXY for the
 * hosts that go direct) and, on a desktop, GNOME's setting (`gsettings get
 * org.gnome.system.proxy mode`: "auto" with its `autoconfig-url`, the PAC file, or without one,
 * automatic detection). A machine without gsettings (a server, a service) has the environment
 * only. The environment is read at call time from what it is given, so that tests and the agent's
 * service definition say it explicitly.
 */
import type { CommandRunner } from '../user-sessions/run-command.js';
import type { SystemProxy, SystemProxyReader } from './proxy-choice.js';

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()];
  return value?.trim() ? value.trim() : undefined;
}

/** The environment's part: the proxy for the relay's scheme and NO_PROXY's entries. */
export function readProxyEnvironment(env: NodeJS.ProcessEnv, relayUrl: string): Omit<SystemProxy, 'autoDetect'> {
  const secure = /^(https|wss):$/.test(new URL(relayUrl).protocol);
  const name = secure ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  const raw = envValue(env, name);
  const bypass = (envValue(env, 'NO_PROXY') ?? '').split(/[\s,]+/).filter(Boolean);
  // A proxy given as host:port, as many set it, is an http proxy.
  const proxy = raw === undefined ? undefined : /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  return { ...(proxy ? { proxy } : {}), bypass, from: proxy ? name : 'the environment' };
}

/** GNOME's `gsettings get` answer: a quoted string ('auto'), unquoted. */
export function parseGsettingsString(stdout: string): string {
  const text = stdout.trim();
  const m = /^'(.*)'$/s.exec(text);
  return (m ? m[1]! : text).replace(/\\'/g, "'");
}

async function readGnomeAutoConfig(run: CommandRunner): Promise<{ pacUrl?: string; autoDetect: boolean } | null> {
  try {
    const mode = await run('gsettings', ['get', 'org.gnome.system.proxy', 'mode']);
    if (mode.code !== 0 || parseGsettingsString(mode.stdout) !== 'auto') return null;
    const url = await run('gsettings', ['get', 'org.gnome.system.proxy', 'autoconfig-url']);
    const pacUrl = url.code === 0 ? parseGsettingsString(url.stdout) : '';
    return pacUrl ? { pacUrl, autoDetect: false } : { autoDetect: true };
  } catch {
    // No gsettings here (a server): the environment is the system's whole say.
    return null;
  }
}

export function createLinuxProxyReader(
  relayUrl: string,
  env: NodeJS.ProcessEnv,
  run?: CommandRunner,
): SystemProxyReader {
  return {
    async read() {
      const fromEnv = readProxyEnvironment(env, relayUrl);
      const gnome = run ? await readGnomeAutoConfig(run) : null;
      if (!gnome) return { ...fromEnv, autoDetect: false };
      return { ...fromEnv, ...gnome, from: fromEnv.proxy ? fromEnv.from : "GNOME's proxy setting" };
    },
  };
}
