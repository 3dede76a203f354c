/**
 * A PAC file (proxy auto-config) read as browsers read it: fetched directly (never through a
 * proxy), briefly, then its FindProxyForURL evaluated by pac-resolver in a QuickJS sandbox (the
 * maintained evaluator pac-proxy-agent uses: the file is code from the network and runs with no
 * access to this process). What it returns for the relay ("PROXY a:8080; PROXY b:8080; DIRECT")
 * becomes a list of ways to try in order. A file that cannot be fetched, is not a 2xx, throws,
 * or returns nothing usable is a failure with its reason, and the resolution moves on.
 *
 * The evaluation is bounded as the fetch is: QuickJS's interrupt handler stops a file that runs
 * longer (a loop that never ends), and its memory is capped; the DNS lookups a PAC file may ask
 * for (dnsResolve, isResolvable) are the system's own, with the system's timeouts.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createPacResolver } from 'pac-resolver';
import { QuickJS } from 'quickjs-wasi';

export const PAC_FETCH_TIMEOUT_MS = 3_000;
const PAC_MAX_BYTES = 1 << 20;

/** One entry of FindProxyForURL's answer, in order. */
export type PacWay = { type: 'direct' } | { type: 'proxy'; url: URL };

export type PacOutcome = { ok: true; ways: PacWay[]; answer: string } | { ok: false; reason: string };

let quickjs: Promise<Uint8Array> | null = null;
function quickjsWasm(): Promise<Uint8Array> {
  quickjs ??= readFile(createRequire(import.meta.url).resolve('quickjs-wasi/quickjs.wasm'));
  return quickjs;
}

/** FindProxyForURL's answer as ways; other kinds (SOCKS: flxra does not tunnel through it) are skipped. */
export function parsePacAnswer(answer: string): PacWay[] {
  const ways: PacWay[] = [];
  for (const entry of answer.split(';')) {
    const [type = '', target = ''] = entry.trim().split(/\s+/);
    const kind = type.toUpperCase();
    if (kind === 'DIRECT') ways.push({ type: 'direct' });
    else if ((kind === 'PROXY' || kind === 'HTTP' || kind === 'HTTPS') && target) {
      try {
        ways.push({ type: 'proxy', url: new URL(`${kind === 'HTTPS' ? 'https' : 'http'}://${target}`) });
      } catch {
        // An entry that is not an address is no way at all.
      }
    }
  }
  return ways;
}

async function fetchPac(
  pacUrl: string,
  timeoutMs: number,
): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  let url: URL;
  try {
    url = new URL(pacUrl);
  } catch {
    return { ok: false, reason: `"${pacUrl}" is not an address` };
  }
  if (url.protocol === 'file:') {
    try {
      return { ok: true, text: await readFile(url, 'utf8') };
    } catch (err) {
      return { ok: false, reason: `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, reason: `${url.protocol} is not supported` };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!res.ok) {
      await res.body?.cancel();
      return { ok: false, reason: `HTTP ${res.status}` };
    }
    const text = await res.text();
    if (text.length > PAC_MAX_BYTES) return { ok: false, reason: 'larger than 1 MB' };
    return { ok: true, text };
  } catch (err) {
    const e = err as Error & { cause?: NodeJS.ErrnoException };
    if (e.name === 'TimeoutError') return { ok: false, reason: `no answer within ${timeoutMs} ms` };
    return { ok: false, reason: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

/** The PAC file's ways for the relay, or why there are none. Never throws. */
export async function evaluatePac(
  pacUrl: string,
  relayUrl: string,
  timeoutMs = PAC_FETCH_TIMEOUT_MS,
): Promise<PacOutcome> {
  const file = await fetchPac(pacUrl, timeoutMs);
  if (!file.ok) return file;
  try {
    let deadline = Infinity;
    let calls = 0;
    const qjs = await QuickJS.create({
      wasm: await quickjsWasm(),
      memoryLimit: 32 * 1024 * 1024,
      // Called about once per bytecode instruction: the clock is read every 4096th.
      interruptHandler: () => (++calls & 4095) === 0 && performance.now() > deadline,
    });
    const findProxyForURL = createPacResolver(qjs, file.text, { filename: 'proxy.pac' });
    deadline = performance.now() + timeoutMs;
    const answer = String(await findProxyForURL(relayUrl));
    const ways = parsePacAnswer(answer);
    if (ways.length === 0)
      return { ok: false, reason: `it returned "${answer.slice(0, 80)}", which names no usable proxy` };
    return { ok: true, ways, answer };
  } catch (err) {
    return {
      ok: false,
      reason: `its FindProxyForURL failed: ${((err as Error).message ?? String(err)).slice(0, 200)}`,
    };
  }
}
