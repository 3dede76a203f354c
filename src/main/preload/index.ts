/**
 * Preload (runs in the renderer's isolated world, sandboxed): exposes `window.flxra`, built by
 * the shared factory over ipcRenderer, on an allowlist of channels. Nothing else crosses.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createApi } from '../../shared/api.js';
import { isEventChannel, isInvokeChannel } from '../../shared/ipc.js';

const api = createApi({
  invoke: (channel, payload) => {
    if (!isInvokeChannel(channel)) return Promise.reject(new Error(`channel not allowed: ${String(channel)}`));
    return ipcRenderer.invoke(channel, payload);
  },
  subscribe: (channel, listener) => {
    if (!isEventChannel(channel)) throw new Error(`channel not allowed: ${String(channel)}`);
    const forward = (_event: IpcRendererEvent, payload: Parameters<typeof listener>[0]) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => ipcRenderer.removeListener(channel, forward);
  },
});

contextBridge.exposeInMainWorld('flxra', api);
