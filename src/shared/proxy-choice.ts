/**
 * How a program reaches its relay, as the proxy resolution (src/platform/proxy/) decides it,
 * with its zod schemas: the same data the agent logs and the app's windows will show in their
 * connection details (through IPC, whose payloads are checked with these), and that an agent may
 * one day report. Addresses here never carry credentials.
 */
import { z } from 'zod';

export const ProxySource = z.enum(['setting', 'system', 'wpad', 'none']);
export type ProxySource = z.infer<typeof ProxySource>;

export const ProxyChoice = z.object({
  kind: z.enum(['direct', 'proxy', 'pac']),
  source: ProxySource,
  /** The proxy (kind proxy) or the PAC file (kind pac), without credentials; absent when direct. */
  url: z.string().max(2048).optional(),
  /** Kind pac: the proxy the PAC file named for the relay, without credentials (absent: DIRECT). */
  proxy: z.string().max(2048).optional(),
  /** Why this one, and what was tried before it, in words. */
  reason: z.string().max(4000),
});
export type ProxyChoice = z.infer<typeof ProxyChoice>;

export const ProxyRefusalCode = z.enum([
  /** The proxy answered 407 (or 401) to the credentials it was given. */
  'proxy-credentials-refused',
  /** The proxy asks for credentials and none were configured for it. */
  'proxy-credentials-needed',
  /** The proxy offers only NTLM or Negotiate (Kerberos), which flxra does not speak. */
  'proxy-integrated-auth-only',
  /** The proxy answered, and refused to open a tunnel to the relay (403 and the like). */
  'proxy-refused-tunnel',
  /** The explicit setting is not a proxy address flxra can use. */
  'proxy-setting-invalid',
]);
export type ProxyRefusalCode = z.infer<typeof ProxyRefusalCode>;

export const ProxyRefusal = z.object({
  code: ProxyRefusalCode,
  message: z.string().max(2000),
  /** The proxy concerned, without credentials. */
  proxy: z.string().max(2048).optional(),
  source: ProxySource,
});
export type ProxyRefusal = z.infer<typeof ProxyRefusal>;

const SOURCE_WORDS: Record<ProxySource, string> = {
  setting: 'Proxy_Url setting',
  system: 'system settings',
  wpad: 'automatic detection',
  none: '',
};

/** host:port of a proxy's address as the windows name it ("proxy.corp:3128"); the text itself when it is no address. */
function proxyHost(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/**
 * The connection details' line for a choice, as both windows show it: "Relay: through the proxy
 * proxy.corp:3128 (system settings)", "Relay: direct", "Relay: through the proxy proxy.corp:3128
 * (PAC file http://wpad/wpad.dat, automatic detection)".
 */
export function relayRouteLine(choice: ProxyChoice): string {
  const source = SOURCE_WORDS[choice.source];
  const pac = choice.kind === 'pac' && choice.url ? `PAC file ${choice.url}` : '';
  const why = [pac, source].filter(Boolean).join(', ');
  const via = choice.kind === 'proxy' ? choice.url : choice.kind === 'pac' ? choice.proxy : undefined;
  const how = via ? `through the proxy ${proxyHost(via)}` : 'direct';
  return `Relay: ${how}${why ? ` (${why})` : ''}`;
}

/** The line a window shows when a proxy refused: the app does not connect around it. */
export function relayRefusalLine(refusal: ProxyRefusal): string {
  return `Relay: not connected. ${refusal.message}`;
}
