/**
 * Where automatic proxy detection (WPAD over DNS) looks, as browsers and WinHTTP look: first
 * `http://wpad/wpad.dat`, the bare name the resolver completes with its own search suffixes,
 * then `wpad.<suffix>` for each DNS search domain and its parents down to two labels
 * (`wpad.dept.corp.example`, then `wpad.corp.example`), never a top-level domain's `wpad.example`
 * neighbour of one label. DHCP's option 252 is not read: Node cannot ask the DHCP client.
 */
import { readFile } from 'node:fs/promises';

export const WPAD_TIMEOUT_MS = 2_000;

/** The DNS search domains of /etc/resolv.conf's `search` and `domain` lines, in order. */
export function parseResolvConfSearch(text: string): string[] {
  const domains: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(search|domain)\s+(.+)$/.exec(line);
    if (!m) continue;
    for (const d of m[2]!.split(/\s+/)) {
      const name = d.replace(/\.$/, '').toLowerCase();
      if (name && !domains.includes(name)) domains.push(name);
    }
  }
  return domains;
}

/** WPAD's addresses for these search domains, in the order they are tried. */
export function wpadCandidates(searchDomains: readonly string[]): string[] {
  const urls = ['http://wpad/wpad.dat'];
  for (const domain of searchDomains) {
    const labels = domain.split('.').filter(Boolean);
    for (let i = 0; labels.length - i >= 2; i++) {
      const url = `http://wpad.${labels.slice(i).join('.')}/wpad.dat`;
      if (!urls.includes(url)) urls.push(url);
    }
  }
  return urls;
}

/** Linux: the candidates from /etc/resolv.conf (the bare name only, when it cannot be read). */
export async function linuxWpadCandidates(resolvConf = '/etc/resolv.conf'): Promise<string[]> {
  const text = await readFile(resolvConf, 'utf8').catch(() => '');
  return wpadCandidates(parseResolvConfSearch(text));
}
