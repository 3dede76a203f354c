/**
 * The IPC contract between a renderer and the main process: channel names, the schema every
 * invoke payload is validated against in main, and the events main pushes to the renderer.
 * The preload allowlists exactly these channels.
 */
import { ToolId } from './tools-protocol.js';
import type { InputRefusal } from './special-keys.js';
import { z } from 'zod';
import { RecordingChunkUpload } from './recording.js';
import { AccessMode, AssistanceNotes, ConsentDecision, PeerSignal, SessionId } from './protocol.js';
import { DisplayInfo, InputEvent } from './input-events.js';
import { SasWords } from './sas.js';
import { ACTIVATION_MAX_BYTES } from './activation-file.js';
import { CHAT_MAX_CHARS, CLIPBOARD_MAX_CHARS, type AssistView, type ClipboardOutcome } from './assist-protocol.js';
import { IMAGE_PART_CHARS, MAX_IMAGE_BASE64 } from './clipboard-image.js';

import { RegistryPath, ToolRequest, type ToolEvent, type ToolsAvailable } from './tools-protocol.js';
import { SecureDesktopInput } from './secure-desktop-input.js';
import type { HostTransfer } from './file-transfer.js';
import { fileInvokeChannels, type FileInvokeResults } from './ipc-files.js';
import type { SecureDesktopFrame } from './secure-desktop-stream.js';
import type { ChatSendResult, HostState, OperatorState } from './ipc-states.js';

export type * from './ipc-states.js';

/** At most this many characters of base64 for a dropped file's bytes (ACTIVATION_MAX_BYTES, and a little). */
export const DROPPED_FILE_MAX_BASE64 = Math.ceil((ACTIVATION_MAX_BYTES + 1) / 3) * 4;

/** invoke channels: payload schema (validated in main) and the result type (documented by `Result`). */
export const invokeChannels = {
  'host:get-state': z.null(),
  'host:consent': z.object({ decision: ConsentDecision }),
  'host:set-mode': z.object({ mode: AccessMode }),
  /** The user's "Keep view only" to the operator's request for control. */
  'host:keep-view-only': z.null(),
  'host:end': z.null(),
  /** The user's Decline on the request notice: the assistance ends before anyone is let in. */
  'host:decline': z.null(),
  'host:signal': z.object({ signal: PeerSignal }),
  'host:input': z.object({ event: InputEvent }),
  'host:displays': z.null(),
  /** The operator asked to see this display (null: all): main decides (the policy's displays.switch). */
  'host:view': z.object({ display: z.string().min(1).max(64).nullable() }),
  /** The display the last screen capture covers, where main picks a source per display (null: the whole desktop). */
  'host:captured-display': z.null(),
  /** The host page's words for its connection; null when it opens a new one (nothing verified yet). */
  'host:verification': z.object({ words: SasWords, connection: z.string().min(1).max(600) }).nullable(),
  /** The user confirmed that the operator read out these words. */
  'host:confirm-words': z.object({ words: SasWords }),
  /** The user says the operator's words were different: the session ends. */
  'host:reject-words': z.null(),
  /** The user closes one of the operator's admin tools from the indicator. */
  'host:close-tool': z.object({ toolId: ToolId }),
  /** The user's chat message to the operator (through the relay, which audits it). */
  'host:chat-send': z.object({ text: z.string().max(CHAT_MAX_CHARS * 2) }),
  /** The operator's text for the device's clipboard, as it arrived on the data channel (checked in main). */
  'host:clipboard-in': z.object({ text: z.string().max(CLIPBOARD_MAX_CHARS * 2) }),
  /** The operator fetched the device's clipboard. */
  'host:clipboard-out': z.null(),
  /** The operator's image (PNG, base64) for the device's clipboard, put together from the channel's parts. */
  'host:clipboard-image-in': z.object({ png: z.string().max(MAX_IMAGE_BASE64 + IMAGE_PART_CHARS) }),
  /** The user shares the device's clipboard with the operator as it changes (or stops). */
  'host:clipboard-share': z.object({ on: z.boolean() }),
  'host:assist': z.null(),
  'operator:get-state': z.null(),
  'operator:join': z.object({ sessionId: SessionId }),
  'operator:leave': z.null(),
  'operator:signal': z.object({ signal: PeerSignal }),
  'operator:trust-relay': z.object({ trust: z.boolean() }),
  'operator:password': z.object({ password: z.string().min(1).max(64) }),
  'operator:sign-in': z.object({ token: z.string().trim().min(1).max(512) }),
  /** The operator's answer to a sign-in link from the console: redeem its code, or not. */
  'operator:confirm-sign-in': z.object({ yes: z.boolean() }),
  /** "Open activation file…": main shows the system's file dialog (no path crosses from the page). */
  'operator:open-file': z.null(),
  /** A `.flxra` dropped on the window: its name (for messages) and its bytes in base64, bounded. */
  'operator:open-dropped': z.object({
    name: z.string().min(1).max(255),
    base64: z
      .string()
      .max(DROPPED_FILE_MAX_BASE64)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
  }),
  /** Opens the configured relay's console in the system browser (main builds the URL; none comes from the page). */
  'operator:open-console': z.null(),
  /** A new assistance for the device of the last one (AskAgain), opened at once. */
  'operator:ask-again': z.null(),
  /** A request of the tools' panel (tools-protocol.ts), for the relay to check and carry to the device's agent. */
  'operator:tool-request': z.object({ request: ToolRequest }),
  /** The tools this operator may use in the active assistance (null until the relay said). */
  'operator:tools-available': z.null(),
  /** A registry key's export, saved through the system's "save" dialog (main chooses nothing but the name). */
  'operator:save-export': z.object({ key: RegistryPath, text: z.string().max(64 * 1024 * 1024) }),
  /** A terminal's copy and paste, through main (the pages have no clipboard permission). */
  'operator:clipboard-write': z.object({ text: z.string().max(1024 * 1024) }),
  'operator:clipboard-read': z.null(),
  /** The viewer toolbar: ask the user for control (view only now); the indicator asks them. */
  'operator:request-control': z.null(),
  /** The viewer, while the device's secure desktop is up: its input, to the agent through the relay. */
  'operator:secure-desktop-input': z.object({ input: SecureDesktopInput }),
  /** …and its keys, by KeyboardEvent.code (main maps them to Windows scan codes). */
  'operator:secure-desktop-key': z.object({ code: z.string().min(1).max(64), down: z.boolean() }),
  /** The viewer toolbar: the ticket number and notes attached to the assistance (kept in the relay's audit). */
  'operator:save-notes': AssistanceNotes,
  'operator:chat-send': z.object({ text: z.string().max(CHAT_MAX_CHARS * 2) }),
  'operator:assist': z.null(),
  /** One chunk of the session's recording (screen WebM and input), for main to upload to the relay. */
  'operator:recording-chunk': RecordingChunkUpload,
  /** File transfer's channels (ipc-files.ts). */
  ...fileInvokeChannels,
} as const;
export type InvokeChannel = keyof typeof invokeChannels;
export type InvokePayload<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]>;

export interface InvokeResults extends FileInvokeResults {
  'host:get-state': HostState;
  'host:consent': void;
  'host:set-mode': void;
  'host:keep-view-only': void;
  'host:end': void;
  'host:decline': void;
  'host:signal': void;
  /** What the device refused to carry out (Ctrl+Alt+Del on Linux), for the operator; null otherwise. */
  'host:input': InputRefusal | null;
  'host:displays': DisplayInfo[];
  'host:view': InputRefusal | null;
  'host:captured-display': string | null;
  'host:verification': void;
  'host:confirm-words': void;
  'host:reject-words': void;
  'host:close-tool': void;
  'host:chat-send': ChatSendResult;
  'host:clipboard-in': ClipboardOutcome;
  'host:clipboard-out': ClipboardOutcome;
  'host:clipboard-image-in': ClipboardOutcome;
  'host:clipboard-share': ClipboardOutcome;
  'host:assist': AssistView;
  'operator:get-state': OperatorState;
  'operator:join': void;
  'operator:leave': void;
  'operator:signal': void;
  'operator:trust-relay': void;
  'operator:password': void;
  'operator:sign-in': void;
  'operator:confirm-sign-in': void;
  'operator:open-file': void;
  'operator:open-dropped': void;
  'operator:open-console': void;
  'operator:ask-again': void;
  'operator:tool-request': { sent: true } | { sent: false; message: string };
  'operator:tools-available': ToolsAvailable | null;
  'operator:save-export': { saved: string | null; message: string };
  'operator:clipboard-write': void;
  'operator:clipboard-read': string;
  'operator:request-control': { sent: true } | { sent: false; message: string };
  'operator:secure-desktop-input': { sent: true } | { sent: false; message: string };
  'operator:secure-desktop-key': { sent: true } | { sent: false; message: string };
  'operator:save-notes': { sent: true } | { sent: false; message: string };
  'operator:chat-send': ChatSendResult;
  'operator:assist': AssistView;
  'operator:recording-chunk': { sent: true; next: number } | { sent: false; message: string };
}
export type InvokeResult<C extends InvokeChannel> = InvokeResults[C];

export type PageSecureDesktopFrame = Omit<SecureDesktopFrame, 'data'> & { base64: string };

/** Events main pushes to a renderer. */
export interface EventPayloads {
  'host:state': HostState;
  /** A signal from the operator's peer. */
  'host:signal': PeerSignal;
  /**
   * Start a fresh peer: the admitted operator reconnected (always), or this host is back from its
   * own drop (`ifDown`: only if the peer did not survive it).
   */
  'host:peer-reset': { ifDown: boolean };
  'operator:state': OperatorState;
  'operator:signal': PeerSignal;
  /** An event of a tool open on the device, checked in main against the contract. */
  'operator:tool-event': ToolEvent;
  'operator:tools-available': ToolsAvailable | null;
  /** The relay recorded the ticket and notes in the audit trail. */
  'operator:notes-saved': AssistanceNotes;
  /** The clipboard's and the chat's state for the window (assist-protocol.ts). */
  'host:assist': AssistView;
  /** The user's shared clipboard changed: the host page sends it to the operator. */
  'host:clipboard-shared': { text: string };
  'operator:assist': AssistView;
  /** The file transfers of the active session, for the indicator (host-files.ts). */
  'host:files': HostTransfer[];
  /** The user stopped a transfer in the indicator: the page tells the operator's viewer. */
  'host:file-stopped': { id: string; message: string };
  /**
   * The device's secure desktop is up or gone, or a frame of it (through the relay, never the host);
   * the frame's bytes as base64, which every bridge to the page carries as they are.
   */
  'operator:secure-desktop':
    | { up: boolean }
    | { frame: PageSecureDesktopFrame }
    | { refused: string; code: string }
    /** The device's SYSTEM helper is attached: Ctrl+Alt+Del goes to it through the relay, not to the host. */
    | { helper: boolean };
}
export type EventChannel = keyof EventPayloads;
export const eventChannels = [
  'host:state',
  'host:signal',
  'host:peer-reset',
  'operator:state',
  'operator:signal',
  'operator:tool-event',
  'operator:tools-available',
  'operator:notes-saved',
  'host:assist',
  'host:clipboard-shared',
  'operator:assist',
  'operator:secure-desktop',
  'host:files',
  'host:file-stopped',
] as const satisfies readonly EventChannel[];

/** Which window may use a channel: the host window speaks host:*, the viewer operator:*. */
export type WindowRole = 'host' | 'operator';
export function channelRole(channel: InvokeChannel | EventChannel): WindowRole {
  return channel.startsWith('host:') ? 'host' : 'operator';
}

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && Object.prototype.hasOwnProperty.call(invokeChannels, c);
}
export function isEventChannel(c: unknown): c is EventChannel {
  return typeof c === 'string' && (eventChannels as readonly string[]).includes(c);
}

export { DisplayInfo, InputEvent };
