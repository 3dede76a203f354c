/**
 * The one rule for the relay addresses flxra connects to, kept here so that the app (its
 * configured relay, activation files, sign-in), the agent (--relay, its stored enrolment) and the
 * relay (the public URL it names in activation files) apply the same one: https:// or wss://,
 * and plain http:// or ws:// only to a relay on this very computer (localhost, 127.0.0.0/8, ::1),
 * where nothing crosses a network. Anything else is refused with a reason worded for people:
 * tokens, passwords and the screen itself would otherwise travel unencrypted.
 */

export type RelayUrlProblem =
  | { kind: 'not-a-url'; url: string }
  | { kind: 'unsupported-scheme'; url: string; scheme: string }
  | { kind: 'plain-to-remote'; url: string; host: string };

/** `url`: the address to use, in its http(s) form (wss:// → https://), which fetch and socket.io both take. */
export type RelayUrlCheck = { ok: true; url: string } | { ok: false; problem: RelayUrlProblem };

/**
 * A host name as URL parsing leaves it (lower case, IPv4 in dotted decimal, IPv6 in brackets)
 * that can only mean this computer. Other names that may resolve to it (an /etc/hosts entry,
 * `127.1` is normalised to 127.0.0.1 by the parser already) are not taken on trust.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function checkRelayUrl(given: string): RelayUrlCheck {
  const text = given.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: { kind: 'not-a-url', url: text } };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https' || scheme === 'wss') return { ok: true, url: scheme === 'wss' ? httpForm(text) : text };
  if (scheme !== 'http' && scheme !== 'ws')
    return { ok: false, problem: { kind: 'unsupported-scheme', url: text, scheme } };
  if (!isLoopbackHost(url.hostname))
    return { ok: false, problem: { kind: 'plain-to-remote', url: text, host: url.hostname } };
  return { ok: true, url: scheme === 'ws' ? httpForm(text) : text };
}

/** ws(s):// as http(s)://, the rest of the address as written. */
function httpForm(text: string): string {
  return text.replace(/^ws/i, 'http');
}

export function relayUrlProblemMessage(p: RelayUrlProblem): string {
  switch (p.kind) {
    case 'not-a-url':
      return `"${p.url}" is not a relay address: it should look like https://relay.example.org.`;
    case 'unsupported-scheme':
      return `flxra reaches relays over https:// (or wss://); "${p.url}" uses ${p.scheme}:.`;
    case 'plain-to-remote':
      return (
        `flxra will not connect to ${p.url}: plain http is not encrypted, and ${p.host} is not this computer, so anyone ` +
        `on the way could read the session and take its credentials. Use the relay's https:// address (plain http is ` +
        `accepted only for a relay on this computer: localhost, 127.x.x.x or [::1]).`
      );
  }
}

/** The address to use, or the refusal's message: for callers that report problems as text. */
export function secureRelayUrl(text: string): { ok: true; url: string } | { ok: false; message: string } {
  const checked = checkRelayUrl(text);
  return checked.ok ? checked : { ok: false, message: relayUrlProblemMessage(checked.problem) };
}
