/// <reference lib="dom" />
/**
 * Page side of the tests' bridge: builds `window.flxra` with the very factory the preload uses,
 * over a Playwright binding (`__flxraInvoke`, served by the real IPC handler table) instead of
 * ipcRenderer. Main-side events arrive through `__flxraDeliver`. Bundled and injected as an
 * init script by renderer-harness.ts.
 */
import { createApi } from '../../src/shared/api';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();
const w = window as unknown as {
  __flxraInvoke(channel: string, payload: unknown): Promise<never>;
  __flxraDeliver(channel: string, payload: unknown): void;
  flxra: ReturnType<typeof createApi>;
};

w.__flxraDeliver = (channel, payload) => listeners.get(channel)?.forEach((l) => l(payload));
w.flxra = createApi({
  invoke: (channel, payload) => w.__flxraInvoke(channel, payload),
  subscribe: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set();
    listeners.set(channel, set);
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  },
});
