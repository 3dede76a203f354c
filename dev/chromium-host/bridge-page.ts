/// <reference lib="dom" />
/**
 * Page side of the tests' bridge: builds `window.flxra` with the very factory the preload uses,
 * over a Playwright binding (`__flxraInvoke`, served by the real IPC handler table) instead of
 * ipcRenderer. Main-side events arrive through `__flxraDeliver`. Bundled and injected as an
 * init script by renderer-harness.ts. File chunks (BULK_CHANNELS) go as a POST to the rig's server
 * instead (`__flxraBulk`, the page's own path there), to the same handler table: the binding
 * carries a few MB/s only; where that server is out of reach (404), the binding still serves.
 */
import { createApi } from '../../src/shared/api';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();
const BULK_CHANNELS = new Set(['host:file-chunk', 'host:file-read', 'operator:file-chunk']);
const w = window as unknown as {
  __flxraBulk?: string;
  __flxraInvoke(channel: string, payload: unknown): Promise<never>;
  __flxraDeliver(channel: string, payload: unknown): void;
  flxra: ReturnType<typeof createApi>;
};

w.__flxraDeliver = (channel, payload) => listeners.get(channel)?.forEach((l) => l(payload));
let bulkReachable = true;
async function bulkInvoke(channel: string, payload: unknown): Promise<never> {
  const res = await fetch(w.__flxraBulk!, { method: 'POST', body: JSON.stringify({ channel, payload }) });
  if (res.status === 404) {
    bulkReachable = false;
    return w.__flxraInvoke(channel, payload);
  }
  const body = (await res.json()) as { result?: never; error?: string };
  if (!res.ok) throw new Error(body.error ?? `bridge: ${res.status}`);
  return body.result as never;
}

w.flxra = createApi({
  invoke: (channel, payload) =>
    w.__flxraBulk && bulkReachable && BULK_CHANNELS.has(channel)
      ? bulkInvoke(channel, payload)
      : w.__flxraInvoke(channel, payload),
  subscribe: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set();
    listeners.set(channel, set);
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  },
});
