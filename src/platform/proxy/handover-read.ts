/**
 * The host's side of the proxy handover (src/shared/proxy-handover.ts): when the agent that
 * started it says so (FLXRA_PROXY_HANDOVER_FD, taken out of the environment at once), one line
 * of JSON read from that inherited pipe to its end, then the descriptor closed, so that nothing
 * the host starts in turn (Chromium, Electron's helpers) inherits it. The password stays in this
 * process's memory; a problem is said in words, never with what was read.
 */
import net from 'node:net';
import { PROXY_HANDOVER_FD_ENV, ProxyHandover } from '../../shared/proxy-handover.js';
import type { HostHandover } from './setting-keychain.js';

/** How long the agent has to write it: it does so right after the spawn. */
export const HANDOVER_TIMEOUT_MS = 5_000;

/** Bounded: a handover is one short line. */
const MAX_BYTES = 8_192;

export async function takeProxyHandover(
  env: NodeJS.ProcessEnv,
  timeoutMs = HANDOVER_TIMEOUT_MS,
): Promise<HostHandover> {
  const named = env[PROXY_HANDOVER_FD_ENV];
  delete env[PROXY_HANDOVER_FD_ENV];
  if (named === undefined) return { missing: 'it was not started by the agent' };
  const fd = Number(named);
  if (!/^\d+$/.test(named) || fd < 3) return { missing: `${PROXY_HANDOVER_FD_ENV} is not a descriptor` };
  let socket: net.Socket;
  try {
    socket = new net.Socket({ fd, readable: true, writable: false });
  } catch (err) {
    return { missing: `the agent's pipe cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  const text = await new Promise<string | { error: string }>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => resolve({ error: `nothing came from the agent within ${timeoutMs} ms` }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BYTES) {
        clearTimeout(timer);
        resolve({ error: 'the agent sent more than a handover' });
      } else chunks.push(chunk);
    });
    socket.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: `the agent's pipe failed: ${err.code ?? 'error'}` });
    });
  });
  socket.destroy();
  if (typeof text !== 'string') return { missing: text.error };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { missing: 'what the agent sent is not a handover' };
  }
  const parsed = ProxyHandover.safeParse(json);
  if (!parsed.success) return { missing: 'what the agent sent is not a handover' };
  return { handed: parsed.data, missing: '' };
}
