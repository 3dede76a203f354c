/**
 * The operator's side of the clipboard: the device's text as it last arrived over the data channel (fetched, or
 * shared by the user), the device's answer to the last send or fetch, and the one way to ask (over the current peer,
 * which remote-screen.ts gives here). The panel (ClipboardPanel.tsx) draws this.
 */
import { create } from 'zustand';
import type { ChannelMessage } from '../../shared/input-events';
import { imageParts, ImageAssembler } from '../../shared/clipboard-image';

export interface DeviceClipboard {
  text: string;
  /** The device's clipboard held an image (and no text): a PNG, base64. */
  image?: string;
  how: 'fetched' | 'shared';
  at: number;
}

interface ClipboardStore {
  fromDevice: DeviceClipboard | null;
  /** The device's answer to the last push or fetch: copied, or why not. */
  result: { ok: boolean; message: string; at: number } | null;
  /** Waiting for the device's answer. */
  pending: boolean;
}

export const useClipboardStore = create<ClipboardStore>(() => ({ fromDevice: null, result: null, pending: false }));

let send: ((m: ChannelMessage) => void) | null = null;

/** The current peer's sender (null while there is none). */
export function setClipboardSender(sender: ((m: ChannelMessage) => void) | null): void {
  send = sender;
  if (!sender) useClipboardStore.setState({ pending: false });
}

/** Sends a clipboard request to the device; false when no peer is connected. */
export function askDevice(m: Extract<ChannelMessage, { kind: 'clipboard-push' | 'clipboard-fetch' }>): boolean {
  if (!send) return false;
  useClipboardStore.setState({ pending: true });
  send(m);
  return true;
}

/** Sends an image (a PNG, base64) for the device's clipboard, in parts; false when no peer is connected. */
let nextImage = 1;
export function sendImageToDevice(png: string): boolean {
  if (!send) return false;
  useClipboardStore.setState({ pending: true });
  for (const part of imageParts(png, 'push', nextImage++)) send(part);
  return true;
}

const incoming = new ImageAssembler();

/** A clipboard message from the device; false for any other message. */
export function clipboardFromDevice(m: ChannelMessage): boolean {
  if (m.kind === 'clipboard-image-part') {
    const got = m.transfer === 'fetched' ? incoming.add(m) : null;
    if (got && 'done' in got)
      useClipboardStore.setState({
        fromDevice: { text: '', image: got.done, how: 'fetched', at: Date.now() },
        pending: false,
        result: null,
      });
    else if (got)
      useClipboardStore.setState({ result: { ok: false, message: got.problem, at: Date.now() }, pending: false });
    return true;
  }
  if (m.kind === 'clipboard-text') {
    useClipboardStore.setState({
      fromDevice: { text: m.text, how: m.how, at: Date.now() },
      pending: false,
      result: null,
    });
    return true;
  }
  if (m.kind === 'clipboard-result') {
    useClipboardStore.setState({ result: { ok: m.ok, message: m.message, at: Date.now() }, pending: false });
    return true;
  }
  return false;
}

/** A new session starts with nothing from the last one. */
export function resetClipboard(): void {
  useClipboardStore.setState({ fromDevice: null, result: null, pending: false });
}
