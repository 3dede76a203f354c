/**
 * The clipboard's and the chat's contract, shared by the relay, both apps' main processes and their pages:
 * what the relay decides of them for an assistance (`session:features`, sent to both parties with each admission
 * and each policy change, like tools:available), the chat's messages (which travel through the relay, so that it
 * audits each one and bounds their size and rate), the host's report of each clipboard transfer (for the audit:
 * the text itself crosses the peers' data channel only), and the clipboard's data-channel messages.
 * No Node imports: pages import this.
 */
import { z } from 'zod';
import { CLIPBOARD_MAX_IMAGE_BYTES, ClipboardImagePart } from './clipboard-image.js';
import { FileFeatures } from './file-transfer.js';

/** The most characters one clipboard transfer carries; longer text is refused with a sentence, not cut. */
export const CLIPBOARD_MAX_CHARS = 64 * 1024;
/** The most characters one chat message carries, and how many a sender may send per window. */
export const CHAT_MAX_CHARS = 2000;
export const CHAT_RATE = { messages: 10, perMs: 10_000 } as const;

export const FeatureDecision = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(true) }),
  z.object({ allowed: z.literal(false), reason: z.string().min(1).max(500) }),
]);
export type FeatureDecision = z.infer<typeof FeatureDecision>;

/**
 * relay → operator and host: which of the clipboard's two directions, the chat and the viewer toolbar's features the
 * policy allows now. Asking for control passes the relay, which decides it itself; the special keys and the other
 * displays travel on the data channel, so the host decides them from what it was told here (nothing before it).
 */
export const FEATURES_EVENT = 'session:features';
export const SessionFeatures = z.object({
  sessionId: z.string().regex(/^\d{9}$/),
  clipboardToDevice: FeatureDecision,
  clipboardFromDevice: FeatureDecision,
  chat: FeatureDecision,
  /** control.request: "Request control" while the user allows view only. */
  controlRequest: FeatureDecision,
  /** keys.special: the Windows key, Alt+Tab, Print Screen, Ctrl+Alt+Del. */
  specialKeys: FeatureDecision,
  /** displays.switch: a display other than the primary one, or all at once. */
  otherDisplays: FeatureDecision,
  /** File transfer's two directions and the policy's limits (file-transfer.ts). */
  files: FileFeatures.optional(),
});
export type SessionFeatures = z.infer<typeof SessionFeatures>;

export const ChatText = z
  .string()
  .trim()
  .min(1, 'a message is not empty')
  .max(CHAT_MAX_CHARS, `a message has at most ${CHAT_MAX_CHARS} characters`);

/** either side → relay */
export const CHAT_SEND_EVENT = 'chat:send';
/** relay → both sides: a message the relay accepted (and audited), with who wrote it and when (relay's clock). */
export const CHAT_MESSAGE_EVENT = 'chat:message';
export const ChatMessage = z.object({
  sessionId: z.string().regex(/^\d{9}$/),
  id: z.number().int().nonnegative(),
  from: z.enum(['operator', 'user']),
  name: z.string().max(200),
  text: z.string().max(CHAT_MAX_CHARS),
  at: z.number().int(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;
/** relay → sender: its message was not delivered, and why (policy, not active, too long, too fast). */
export const CHAT_REFUSED_EVENT = 'chat:refused';
export const ChatRefused = z.object({
  sessionId: z.string().regex(/^\d{9}$/),
  code: z.enum(['not-active', 'not-permitted', 'too-long', 'rate-limited']),
  message: z.string().max(500),
});
export type ChatRefused = z.infer<typeof ChatRefused>;

/** host → relay: a clipboard transfer happened (its direction and size; never its text), for the audit. */
export const CLIPBOARD_REPORT_EVENT = 'clipboard:report';
export const ClipboardReport = z.object({
  sessionId: z.string().regex(/^\d{9}$/),
  direction: z.enum(['to-device', 'from-device']),
  /** How it was asked for: the operator's send or fetch, or the user's sharing from the indicator. */
  how: z.enum(['sent', 'fetched', 'shared']),
  chars: z.number().int().nonnegative().max(CLIPBOARD_MAX_CHARS),
  /** An image's size (a PNG; its chars are 0): clipboard-image.ts. */
  imageBytes: z.number().int().positive().max(CLIPBOARD_MAX_IMAGE_BYTES).optional(),
});
export type ClipboardReport = z.infer<typeof ClipboardReport>;

/**
 * host → relay: the operator used (or the host refused) a viewer feature that travels on the data channel, so that
 * the relay, which keeps the audit, records it: a special key pressed, another display (or all) shown.
 */
export const FEATURE_REPORT_EVENT = 'session:feature-used';
export const FeatureReport = z.object({
  sessionId: z.string().regex(/^\d{9}$/),
  feature: z.enum(['special-key', 'display']),
  /** The key ('windows-key', 'alt-tab', 'print-screen', 'ctrl-alt-del'), or the display's id ('all': every one). */
  what: z.string().min(1).max(64),
  /** Whether the host carried it out; if not, why (its refusal's code). */
  done: z.boolean(),
  code: z.string().max(40).optional(),
});
export type FeatureReport = z.infer<typeof FeatureReport>;

export const ClipboardRefusalCode = z.enum(['not-active', 'not-permitted', 'view-only', 'too-large', 'unavailable']);
export type ClipboardRefusalCode = z.infer<typeof ClipboardRefusalCode>;
export type ClipboardOutcome =
  /** `image`: the device's clipboard held an image and no text (a PNG, base64). */
  { ok: true; text?: string; image?: string } | { ok: false; code: ClipboardRefusalCode; message: string };

/** The clipboard on the peers' data channel (input-events.ts's ChannelMessage includes these). */
export const ClipboardChannelMessage = z.discriminatedUnion('kind', [
  /** operator → host: put this text on the device's clipboard. */
  z.object({ kind: z.literal('clipboard-push'), text: z.string().max(CLIPBOARD_MAX_CHARS) }),
  /** operator → host: send the device's clipboard now. */
  z.object({ kind: z.literal('clipboard-fetch') }),
  /** host → operator: the device's clipboard (fetched, or shared by the user as it changed). */
  z.object({
    kind: z.literal('clipboard-text'),
    text: z.string().max(CLIPBOARD_MAX_CHARS),
    how: z.enum(['fetched', 'shared']),
  }),
  /** host → operator: what became of a push or a fetch. */
  z.object({
    kind: z.literal('clipboard-result'),
    ok: z.boolean(),
    code: ClipboardRefusalCode.optional(),
    message: z.string().max(500),
  }),
  /** Either way: a part of an image (operator → host: push; host → operator: fetched). */
  ClipboardImagePart,
]);

/** The clipboard and chat as a window shows them: the relay's decisions and the conversation so far. */
export interface AssistView {
  sessionId: string | null;
  features: SessionFeatures | null;
  messages: ChatMessage[];
  /** The last refusal of this side's message, to show beside the input. */
  chatProblem?: string;
  /** Host only: the user shares the device's clipboard with the operator as it changes. */
  sharing?: boolean;
}

export const NO_ASSIST: AssistView = { sessionId: null, features: null, messages: [] };

/** The characters' count in words, for the size refusal. */
export function clipboardTooLarge(chars: number): string {
  return `The clipboard holds ${chars.toLocaleString('en')} characters; at most ${CLIPBOARD_MAX_CHARS.toLocaleString('en')} are sent. Copy less text.`;
}
