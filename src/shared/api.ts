/**
 * The API the renderer sees as `window.flxra`. One factory builds it over a transport, so the
 * Electron preload (ipcRenderer) and the tests' bridge (Playwright bindings) expose the very
 * same object. The renderer's type is derived from it: `FlxraApi = ReturnType<typeof createApi>`.
 */
import type { AccessMode, ConsentDecision, PeerSignal, SessionId } from './protocol.js';
import type { InputEvent } from './input-events.js';
import type { SasWords } from './sas.js';
import type { ToolRequest } from './tools-protocol.js';
import type { EventChannel, EventPayloads, InvokeChannel, InvokePayload, InvokeResult } from './ipc.js';

export interface Transport {
  invoke<C extends InvokeChannel>(channel: C, payload: InvokePayload<C>): Promise<InvokeResult<C>>;
  /** Returns a function that unsubscribes. */
  subscribe<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

export function createApi(t: Transport) {
  return {
    host: {
      getState: () => t.invoke('host:get-state', null),
      answerConsent: (decision: ConsentDecision) => t.invoke('host:consent', { decision }),
      setMode: (mode: AccessMode) => t.invoke('host:set-mode', { mode }),
      closeTool: (toolId: string) => t.invoke('host:close-tool', { toolId }),
      endSession: () => t.invoke('host:end', null),
      /** Decline on the request notice: the assistance ends before anyone is let in. */
      decline: () => t.invoke('host:decline', null),
      sendSignal: (signal: PeerSignal) => t.invoke('host:signal', { signal }),
      injectInput: (event: InputEvent) => t.invoke('host:input', { event }),
      getDisplays: () => t.invoke('host:displays', null),
      /** The words of the page's connection, or null as it opens a new one. */
      reportVerification: (verification: { words: SasWords; connection: string } | null) =>
        t.invoke('host:verification', verification),
      confirmWords: (words: SasWords) => t.invoke('host:confirm-words', { words }),
      rejectWords: () => t.invoke('host:reject-words', null),
      onState: (cb: (s: EventPayloads['host:state']) => void) => t.subscribe('host:state', cb),
      onSignal: (cb: (s: EventPayloads['host:signal']) => void) => t.subscribe('host:signal', cb),
      onPeerReset: (cb: (reset: { ifDown: boolean }) => void) => t.subscribe('host:peer-reset', cb),
    },
    operator: {
      getState: () => t.invoke('operator:get-state', null),
      join: (sessionId: SessionId) => t.invoke('operator:join', { sessionId }),
      leave: () => t.invoke('operator:leave', null),
      sendSignal: (signal: PeerSignal) => t.invoke('operator:signal', { signal }),
      /** The operator's answer after comparing an unknown relay's key fingerprint. */
      trustRelay: (trust: boolean) => t.invoke('operator:trust-relay', { trust }),
      submitPassword: (password: string) => t.invoke('operator:password', { password }),
      /** The operator's relay token, pasted once; kept in the keychain when the relay accepts it. */
      signIn: (token: string) => t.invoke('operator:sign-in', { token }),
      /** The operator's answer to a sign-in link: Sign in (redeem its code) or Cancel. */
      confirmSignIn: (yes: boolean) => t.invoke('operator:confirm-sign-in', { yes }),
      /** "Open activation file…": the system's file dialog, in main. */
      openFile: () => t.invoke('operator:open-file', null),
      /** A dropped `.flxra`: its name and bytes (base64), checked in main as a file from disk. */
      openDropped: (name: string, base64: string) => t.invoke('operator:open-dropped', { name, base64 }),
      openConsole: () => t.invoke('operator:open-console', null),
      askAgain: () => t.invoke('operator:ask-again', null),
      onState: (cb: (s: EventPayloads['operator:state']) => void) => t.subscribe('operator:state', cb),
      onSignal: (cb: (s: EventPayloads['operator:signal']) => void) => t.subscribe('operator:signal', cb),
      tools: {
        request: (request: ToolRequest) => t.invoke('operator:tool-request', { request }),
        available: () => t.invoke('operator:tools-available', null),
        saveExport: (key: string, text: string) => t.invoke('operator:save-export', { key, text }),
        copy: (text: string) => t.invoke('operator:clipboard-write', { text }),
        paste: () => t.invoke('operator:clipboard-read', null),
        onEvent: (cb: (e: EventPayloads['operator:tool-event']) => void) => t.subscribe('operator:tool-event', cb),
        onAvailable: (cb: (a: EventPayloads['operator:tools-available']) => void) =>
          t.subscribe('operator:tools-available', cb),
      },
    },
  };
}

export type FlxraApi = ReturnType<typeof createApi>;
