/**
 * The host's clipboard and chat for the active session. The chat goes through the relay (assist-chat.ts). The
 * clipboard's text comes and goes over the peers' data channel, through the host page, and every transfer is decided
 * here, in main, against what holds now: a session the user let in is active; the relay's decision for that direction
 * (`session:features`); text to the device only while the operator has control (not view-only); at most
 * CLIPBOARD_MAX_CHARS (images: PNG, at most CLIPBOARD_MAX_IMAGE_BYTES; fetched where the clipboard holds no
 * text). Device → operator only on the operator's fetch, or while the user shares it from the
 * indicator: then the clipboard is read every SHARE_POLL_MS and sent only when it changed. Each transfer is reported
 * to the relay for the audit (direction and size, never the text).
 */
import {
  CLIPBOARD_MAX_CHARS,
  CLIPBOARD_REPORT_EVENT,
  clipboardTooLarge,
  FEATURE_REPORT_EVENT,
  type AssistView,
  type ClipboardOutcome,
  type ClipboardReport,
  type FeatureReport,
  type SessionFeatures,
} from '../../shared/assist-protocol.js';
import type { InputRefusal } from '../../shared/special-keys.js';
import {
  base64Bytes,
  CLIPBOARD_MAX_IMAGE_BYTES,
  clipboardImageTooLarge,
  isPngBase64,
} from '../../shared/clipboard-image.js';
import type { HostState } from '../../shared/ipc.js';
import type { ClipboardAccess } from '../../platform/clipboard/clipboard.js';
import { AssistChat, type ChatSend } from '../../shared/assist-chat.js';
import type { RelaySocket } from '../relay-client.js';
import type { HostSessionOptions } from './host-session-options.js';

export const SHARE_POLL_MS = 500;

export interface HostAssistOptions {
  /** The device's clipboard; none: clipboard transfers are refused as unavailable. */
  clipboard?: ClipboardAccess;
  show(view: AssistView): void;
  /** The user's shared clipboard changed: the page sends it to the operator. */
  shared(text: string): void;
  log?: (line: string) => void;
}

type Refusal = Extract<ClipboardOutcome, { ok: false }>;

export class HostAssist {
  readonly chat: AssistChat;
  private socket: RelaySocket | null = null;
  private state: HostState = { status: 'connecting' };
  private sharing: ReturnType<typeof setInterval> | null = null;
  /** What was last on either side of the clipboard: nothing is sent twice. */
  private lastText: string | null = null;
  private lastImage: string | null = null;

  constructor(private readonly opts: HostAssistOptions) {
    this.chat = new AssistChat((view) => {
      opts.show({ ...view, sharing: this.sharing !== null });
      // The policy took the direction away: sharing stops.
      if (this.sharing && view.features?.clipboardFromDevice.allowed === false) this.share(false);
    }, opts.log);
  }

  get view(): AssistView {
    return { ...this.chat.view, sharing: this.sharing !== null };
  }

  attach(socket: RelaySocket): void {
    this.socket = socket;
    this.chat.attach(socket);
  }

  onState(state: HostState): void {
    this.state = state;
    const active = state.status === 'active' ? state.sessionId : null;
    if (active !== this.chat.view.sessionId) {
      this.stopSharing();
      this.lastText = null;
      this.lastImage = null;
    }
    this.chat.onSession(active);
  }

  sendChat(text: string): ChatSend {
    return this.chat.send(text);
  }

  /** To the device only with control: in view only nothing is pasted there. */
  private viewOnlyRefusal(): ClipboardOutcome | null {
    if (this.state.status !== 'active' || this.state.mode === 'control') return null;
    return {
      ok: false,
      code: 'view-only',
      message: 'View only: the user has not given you control, so nothing is pasted on the device.',
    };
  }

  /** The operator's text for the device's clipboard. */
  async toDevice(text: string): Promise<ClipboardOutcome> {
    const refused = this.refusal('to-device') ?? this.sizeRefusal(text) ?? this.viewOnlyRefusal();
    if (refused) return refused;
    if (text === this.lastText) return { ok: true };
    try {
      await this.opts.clipboard!.writeText(text);
    } catch (err) {
      return this.unavailable(err);
    }
    this.lastText = text;
    this.report('to-device', 'sent', text.length);
    return { ok: true };
  }

  /** The operator's image (a PNG, base64) for the device's clipboard, where the platform takes images. */
  async imageToDevice(png: string): Promise<ClipboardOutcome> {
    const refused = this.refusal('to-device') ?? this.imageRefusal(png) ?? this.viewOnlyRefusal();
    if (refused) return refused;
    const clip = this.opts.clipboard!;
    if (!clip.writeImage)
      return { ok: false, code: 'unavailable', message: "This device's clipboard takes text only, not images." };
    if (png === this.lastImage) return { ok: true };
    try {
      await clip.writeImage(Buffer.from(png, 'base64'));
    } catch (err) {
      return this.unavailable(err);
    }
    this.lastImage = png;
    this.report('to-device', 'sent', 0, base64Bytes(png));
    return { ok: true };
  }

  /** The operator's explicit fetch of the device's clipboard: its text, or its image where it holds no text. */
  async fromDevice(): Promise<ClipboardOutcome> {
    const refused = this.refusal('from-device');
    if (refused) return refused;
    let text: string;
    try {
      text = await this.opts.clipboard!.readText();
    } catch (err) {
      return this.unavailable(err);
    }
    if (text === '') {
      const image = await this.imageFromDevice();
      if (image) return image;
    }
    const tooLarge = this.sizeRefusal(text);
    if (tooLarge) return tooLarge;
    this.lastText = text;
    this.report('from-device', 'fetched', text.length);
    return { ok: true, text };
  }

  /** The user shares (or stops sharing) the device's clipboard from the indicator. */
  share(on: boolean): ClipboardOutcome {
    if (!on) {
      this.stopSharing();
      this.chat.set({});
      return { ok: true };
    }
    const refused = this.refusal('from-device');
    if (refused) return refused;
    if (!this.sharing) this.sharing = setInterval(() => void this.poll(), SHARE_POLL_MS);
    this.chat.set({});
    return { ok: true };
  }

  stop(): void {
    this.stopSharing();
  }

  /**
   * Why a viewer feature of the data channel (special keys, other displays) is refused now: not before the relay's
   * decision for the active session is in, nor where it says no.
   */
  featureRefusal(feature: 'specialKeys' | 'otherDisplays'): InputRefusal | null {
    const view = this.chat.view;
    if (this.state.status !== 'active' || view.sessionId !== this.state.sessionId || !view.features)
      return { code: 'not-permitted', message: 'Not yet: the relay has not said what this assistance allows.' };
    const decision: SessionFeatures[typeof feature] = view.features[feature];
    return decision.allowed ? null : { code: 'not-permitted', message: decision.reason };
  }

  /** A special key or a display switch, carried out or refused: to the relay, which records it. */
  reportFeature(feature: FeatureReport['feature'], what: string, refused: InputRefusal | null): void {
    const sessionId = this.chat.view.sessionId;
    if (!sessionId) return;
    const report: FeatureReport = { sessionId, feature, what, done: refused === null };
    this.socket?.emit(FEATURE_REPORT_EVENT, refused ? { ...report, code: refused.code } : report);
  }

  private async poll(): Promise<void> {
    if (this.refusal('from-device')) return (this.share(false), undefined);
    const text = await this.opts.clipboard!.readText().catch(() => null);
    // An empty clipboard (nothing copied, or its owner gone) is not news.
    if (text === null || text === '' || text === this.lastText || !this.sharing) return;
    this.lastText = text;
    if (this.sizeRefusal(text)) return this.opts.log?.('[host] a shared clipboard too large to send was not sent');
    this.report('from-device', 'shared', text.length);
    this.opts.shared(text);
  }

  private stopSharing(): void {
    if (this.sharing) clearInterval(this.sharing);
    this.sharing = null;
  }

  /** Why a transfer in this direction is refused now, or null. */
  private refusal(direction: 'to-device' | 'from-device'): Refusal | null {
    const view = this.chat.view;
    if (this.state.status !== 'active' || view.sessionId !== this.state.sessionId || !view.features)
      return {
        ok: false,
        code: 'not-active',
        message: 'No assistance is active: the clipboard is shared only during one.',
      };
    const decision = direction === 'to-device' ? view.features.clipboardToDevice : view.features.clipboardFromDevice;
    if (!decision.allowed) return { ok: false, code: 'not-permitted', message: decision.reason };
    if (!this.opts.clipboard)
      return { ok: false, code: 'unavailable', message: "This device's clipboard cannot be reached by flxra." };
    return null;
  }

  /** The device's clipboard image, as the fetch's answer; null when it holds none (or images cannot be read). */
  private async imageFromDevice(): Promise<ClipboardOutcome | null> {
    const clip = this.opts.clipboard!;
    if (!clip.readImage) return null;
    let png: Buffer | null;
    try {
      png = await clip.readImage();
    } catch (err) {
      return this.unavailable(err);
    }
    if (!png || png.length === 0) return null;
    if (png.length > CLIPBOARD_MAX_IMAGE_BYTES)
      return { ok: false, code: 'too-large', message: clipboardImageTooLarge(png.length) };
    const image = png.toString('base64');
    this.lastImage = image;
    this.report('from-device', 'fetched', 0, png.length);
    return { ok: true, image };
  }

  private imageRefusal(png: string): Refusal | null {
    const bytes = base64Bytes(png);
    if (bytes > CLIPBOARD_MAX_IMAGE_BYTES)
      return { ok: false, code: 'too-large', message: clipboardImageTooLarge(bytes) };
    if (!isPngBase64(png))
      return { ok: false, code: 'unavailable', message: 'Only PNG images are put on the device’s clipboard.' };
    return null;
  }

  private sizeRefusal(text: string): Refusal | null {
    return text.length > CLIPBOARD_MAX_CHARS
      ? { ok: false, code: 'too-large', message: clipboardTooLarge(text.length) }
      : null;
  }

  private unavailable(err: unknown): Refusal {
    this.opts.log?.(`[host] clipboard: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, code: 'unavailable', message: "The device's clipboard could not be used just now." };
  }

  private report(
    direction: ClipboardReport['direction'],
    how: ClipboardReport['how'],
    chars: number,
    imageBytes?: number,
  ): void {
    const sessionId = this.chat.view.sessionId;
    if (!sessionId) return;
    const report: ClipboardReport = { sessionId, direction, how, chars, ...(imageBytes ? { imageBytes } : {}) };
    this.socket?.emit(CLIPBOARD_REPORT_EVENT, report);
  }
}

/** The host session's one: its window's events, the device's clipboard. */
export function hostAssistFor(opts: Pick<HostSessionOptions, 'clipboard' | 'emit'>, log: (line: string) => void) {
  return new HostAssist({
    ...(opts.clipboard ? { clipboard: opts.clipboard } : {}),
    show: (view) => opts.emit('host:assist', view),
    shared: (text) => opts.emit('host:clipboard-shared', { text }),
    log,
  });
}
