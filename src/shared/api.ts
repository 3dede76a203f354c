/**
 * The API the renderer sees as `window.flxra`. One factory builds it over a transport, so the
 * Electron preload (ipcRenderer) and the tests' bridge (Playwright bindings) expose the very
 * same object. The renderer's type is derived from it: `FlxraApi = ReturnType<typeof createApi>`.
 */
import type { AccessMode, AssistanceNotes, ConsentDecision, PeerSignal, SessionId } from './protocol.js';
import type { InputEvent } from './input-events.js';
import type { SasWords } from './sas.js';
import type { ToolRequest } from './tools-protocol.js';
import type { SecureDesktopInput } from './secure-desktop-input.js';
import type { RecordingChunkUpload } from './recording.js';
import type { FileOffer } from './file-transfer.js';
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
      keepViewOnly: () => t.invoke('host:keep-view-only', null),
      closeTool: (toolId: string) => t.invoke('host:close-tool', { toolId }),
      endSession: () => t.invoke('host:end', null),
      /** Decline on the request notice: the assistance ends before anyone is let in. */
      decline: () => t.invoke('host:decline', null),
      sendSignal: (signal: PeerSignal) => t.invoke('host:signal', { signal }),
      injectInput: (event: InputEvent) => t.invoke('host:input', { event }),
      getDisplays: () => t.invoke('host:displays', null),
      chooseView: (display: string | null) => t.invoke('host:view', { display }),
      capturedDisplay: () => t.invoke('host:captured-display', null),
      /** The words of the page's connection, or null as it opens a new one. */
      reportVerification: (verification: { words: SasWords; connection: string } | null) =>
        t.invoke('host:verification', verification),
      confirmWords: (words: SasWords) => t.invoke('host:confirm-words', { words }),
      rejectWords: () => t.invoke('host:reject-words', null),
      onState: (cb: (s: EventPayloads['host:state']) => void) => t.subscribe('host:state', cb),
      onSignal: (cb: (s: EventPayloads['host:signal']) => void) => t.subscribe('host:signal', cb),
      onPeerReset: (cb: (reset: { ifDown: boolean }) => void) => t.subscribe('host:peer-reset', cb),
      sendChat: (text: string) => t.invoke('host:chat-send', { text }),
      clipboardIn: (text: string) => t.invoke('host:clipboard-in', { text }),
      clipboardOut: () => t.invoke('host:clipboard-out', null),
      clipboardImageIn: (png: string) => t.invoke('host:clipboard-image-in', { png }),
      shareClipboard: (on: boolean) => t.invoke('host:clipboard-share', { on }),
      getAssist: () => t.invoke('host:assist', null),
      onAssist: (cb: (v: EventPayloads['host:assist']) => void) => t.subscribe('host:assist', cb),
      onClipboardShared: (cb: (v: { text: string }) => void) => t.subscribe('host:clipboard-shared', cb),
      files: {
        offer: (offer: FileOffer) => t.invoke('host:file-offer', { offer }),
        chunk: (id: string, offset: number, base64: string) => t.invoke('host:file-chunk', { id, offset, base64 }),
        done: (id: string) => t.invoke('host:file-done', { id }),
        cancel: (id: string, message: string) => t.invoke('host:file-cancel', { id, message }),
        paused: () => t.invoke('host:file-paused', null),
        fetch: (id: string, n: number, path: string) => t.invoke('host:file-fetch', { id, n, path }),
        read: (id: string, offset: number, length: number) => t.invoke('host:file-read', { id, offset, length }),
        fetched: (id: string, ok: boolean, message: string) => t.invoke('host:file-fetched', { id, ok, message }),
        list: (path?: string) => t.invoke('host:file-list', path === undefined ? {} : { path }),
        stop: (id: string) => t.invoke('host:file-stop', { id }),
        transfers: () => t.invoke('host:files', null),
        onTransfers: (cb: (v: EventPayloads['host:files']) => void) => t.subscribe('host:files', cb),
        onStopped: (cb: (v: EventPayloads['host:file-stopped']) => void) => t.subscribe('host:file-stopped', cb),
      },
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
      /** The viewer toolbar's requests (viewer-requests.ts at the relay). */
      viewer: {
        requestControl: () => t.invoke('operator:request-control', null),
        saveNotes: (notes: AssistanceNotes) => t.invoke('operator:save-notes', notes),
        onNotesSaved: (cb: (n: EventPayloads['operator:notes-saved']) => void) =>
          t.subscribe('operator:notes-saved', cb),
        secureDesktopInput: (input: SecureDesktopInput) => t.invoke('operator:secure-desktop-input', { input }),
        secureDesktopKey: (code: string, down: boolean) => t.invoke('operator:secure-desktop-key', { code, down }),
        onSecureDesktop: (cb: (e: EventPayloads['operator:secure-desktop']) => void) =>
          t.subscribe('operator:secure-desktop', cb),
      },
      sendChat: (text: string) => t.invoke('operator:chat-send', { text }),
      getAssist: () => t.invoke('operator:assist', null),
      onAssist: (cb: (v: EventPayloads['operator:assist']) => void) => t.subscribe('operator:assist', cb),
      /** One chunk of the recording the policy requires, uploaded by main to the relay. */
      recordingChunk: (chunk: RecordingChunkUpload) => t.invoke('operator:recording-chunk', chunk),
      files: {
        offer: (offer: FileOffer) => t.invoke('operator:file-offer', { offer }),
        chunk: (id: string, offset: number, base64: string) => t.invoke('operator:file-chunk', { id, offset, base64 }),
        done: (id: string) => t.invoke('operator:file-done', { id }),
        cancel: (id: string, message: string) => t.invoke('operator:file-cancel', { id, message }),
      },
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
