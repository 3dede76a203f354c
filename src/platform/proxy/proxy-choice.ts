/**
 * What the proxy resolution decides, as data: how a program reaches its relay (direct, through a
 * proxy, or through the proxy a PAC file named), which step of the order decided it (the explicit
 * setting, the operating system, automatic detection, none), and why, in words a person reads in
 * a log or the app's connection details. Addresses here never carry credentials: the password of
 * a configured proxy stays with the caller (the agent's keychain), outside these values.
 *
 * A refusal stops the resolution: a proxy that was answered and said no to the credentials (it was
 * configured on purpose, so going around it would be a silent bypass), or one that offers only
 * Windows' integrated authentication, which this program cannot do. Each has a code programs act
 * on and a message for people. The choice and the refusal are the shared contract's
 * (src/shared/proxy-choice.ts, with their schemas); the rest is the platform's.
 */

import type { ProxyChoice, ProxyRefusal } from '../../shared/proxy-choice.js';

export type { ProxyChoice, ProxyRefusal, ProxyRefusalCode, ProxySource } from '../../shared/proxy-choice.js';

export type ProxyResolution =
  | {
      ok: true;
      choice: ProxyChoice;
      /** The proxy to tunnel through, with its credentials if any: for the caller's agent only, never logged. */
      connectVia?: URL;
    }
  | { ok: false; refusal: ProxyRefusal };

/** What the operating system says about proxies, whichever system it is. */
export interface SystemProxy {
  /** The proxy for the relay's scheme (its address as configured; the caller strips credentials before saying it). */
  proxy?: string;
  /** Hosts that go direct: NO_PROXY entries, or Windows' ProxyOverride list (`<local>` included). */
  bypass: string[];
  /** A PAC file's address (Windows AutoConfigURL, GNOME's autoconfig-url). */
  pacUrl?: string;
  /** Automatic detection (WPAD) asked for (Windows AutoDetect, GNOME's mode "auto" without a URL). */
  autoDetect: boolean;
  /** Where these values were read, for the reason ("HTTPS_PROXY", "Internet Settings"…). */
  from: string;
}

export interface SystemProxyReader {
  /**
   * null when the system has no proxy settings to read (nothing configured is `{ bypass: [], autoDetect: false }`);
   * an error when they are there and cannot be read (the resolution says why and moves on).
   */
  read(): Promise<SystemProxy | { error: string } | null>;
}

/** An address as it may be said: no user name, no password. */
export function withoutCredentials(url: string | URL): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href.replace(/\/$/, '');
  } catch {
    return '(an address that cannot be read)';
  }
}

/** One line for the log: the choice and its reason, never a credential. */
export function describeProxyChoice(choice: ProxyChoice): string {
  const how =
    choice.kind === 'direct'
      ? 'direct'
      : choice.kind === 'proxy'
        ? `through the proxy ${choice.url}`
        : `through the PAC file ${choice.url} (${choice.proxy ? `proxy ${choice.proxy}` : 'DIRECT'})`;
  return `relay connection: ${how} (source: ${choice.source}): ${choice.reason}`;
}
