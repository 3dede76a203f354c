/**
 * Input events the operator's viewer sends to the host over the WebRTC data channel, and the
 * display descriptions the host sends back. Coordinates are normalised (0..1) within one
 * display, named by id, so the protocol already works for several displays. The verification
 * words' exchange travels there too, and the host's word that its capture stopped.
 */
import { z } from 'zod';
import { SasHex } from './sas.js';
import { ClipboardChannelMessage } from './assist-protocol.js';
import { VideoQuality } from './video-quality.js';

const Unit = z.number().min(0).max(1);
/** The most characters one `text` event types. */
export const MAX_TYPED_CHARS = 1000;
export const DisplayId = z.string().min(1).max(64);

export const MouseButton = z.enum(['left', 'middle', 'right', 'back', 'forward']);
export type MouseButton = z.infer<typeof MouseButton>;

/** Modifier state the operator's keyboard had when the event was made. */
export const Modifiers = z.object({
  shift: z.boolean(),
  ctrl: z.boolean(),
  alt: z.boolean(),
  meta: z.boolean(),
});
export type Modifiers = z.infer<typeof Modifiers>;

export const InputEvent = z.discriminatedUnion('t', [
  z.object({ t: z.literal('move'), display: DisplayId, x: Unit, y: Unit }),
  z.object({ t: z.literal('button'), display: DisplayId, x: Unit, y: Unit, button: MouseButton, down: z.boolean() }),
  /** Wheel in notches (one click of a wheel = 1), positive = down / right. */
  z.object({
    t: z.literal('wheel'),
    display: DisplayId,
    x: Unit,
    y: Unit,
    dx: z.number().min(-100).max(100),
    dy: z.number().min(-100).max(100),
  }),
  /** A physical key by its KeyboardEvent.code ("KeyA", "ShiftLeft"): layout-independent. */
  z.object({ t: z.literal('key'), code: z.string().min(1).max(32), down: z.boolean(), mods: Modifiers }),
  /**
   * Text typed as characters, whatever the device's keyboard layout (the platform's Unicode input path: Windows'
   * KEYEVENTF_UNICODE, X11 keysyms mapped on spare keycodes), for text the layout has no key for.
   */
  z.object({ t: z.literal('text'), text: z.string().min(1).max(MAX_TYPED_CHARS) }),
  /** The operator's window lost focus: let go of everything held. */
  z.object({ t: z.literal('release-all') }),
  /**
   * The Secure Attention Sequence (Ctrl+Alt+Del; not the verification words of sas.ts): no
   * keystroke can make it, so it is asked for as such (special-keys.ts), carried out or refused.
   */
  z.object({ t: z.literal('sas') }),
]);
export type InputEvent = z.infer<typeof InputEvent>;

export const DisplayInfo = z.object({
  id: DisplayId,
  /** Position and size in the host's desktop coordinates (pixels). */
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  primary: z.boolean(),
});
export type DisplayInfo = z.infer<typeof DisplayInfo>;

/**
 * The verification words' exchange (sas-exchange.ts): the host's commitment to its nonce, the
 * operator's nonce, then the host's nonce revealed.
 */
export const SasMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sas-commit'), commitment: SasHex }),
  z.object({ kind: z.literal('sas-nonce'), nonce: SasHex }),
  z.object({ kind: z.literal('sas-reveal'), nonce: SasHex }),
]);
export type SasMessage = z.infer<typeof SasMessage>;

/** Everything that crosses the data channel, in either direction. */
export const ChannelMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('input'), event: InputEvent }),
  /** host → operator: the device's displays, sent again whenever one is added, removed or resized. */
  z.object({ kind: z.literal('displays'), displays: z.array(DisplayInfo).max(16) }),
  /** operator → host: the picture the operator chose (video-quality.ts), for this connection and those after it. */
  z.object({ kind: z.literal('quality'), quality: VideoQuality }),
  /** operator → host: show this display (its id), or all of them (null): display-view.ts. */
  z.object({ kind: z.literal('view'), display: DisplayId.nullable() }),
  /** host → operator: what the video shows from now on, the display (null: all) and its desktop rectangle. */
  z.object({
    kind: z.literal('showing'),
    display: DisplayId.nullable(),
    rect: z.object({
      x: z.number().int(),
      y: z.number().int(),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
    }),
  }),
  /** host → operator: the device's screen capture stopped (the user stopped sharing, the source went away). */
  z.object({ kind: z.literal('capture-stopped') }),
  /**
   * host → operator: an input the device did not carry out (Ctrl+Alt+Del on Linux, a special key or another display
   * the policy forbids, …), and why (special-keys.ts).
   */
  z.object({
    kind: z.literal('input-refused'),
    input: z.enum(['sas', 'key', 'view']),
    code: z.enum(['view-only', 'sas-unsupported', 'sas-unavailable', 'not-permitted']),
    message: z.string().max(500),
  }),
  ...SasMessage.options,
  ...ClipboardChannelMessage.options,
]);
export type ChannelMessage = z.infer<typeof ChannelMessage>;
