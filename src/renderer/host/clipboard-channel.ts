/**
 * The host page's part of the clipboard: what the operator's viewer asks over the data channel (put this text on
 * the device's clipboard, send me the device's) goes to main, which decides and does it (host-assist.ts); the
 * answer goes back on the channel. Text the user shares from the indicator goes out as main reads it changed.
 * Images cross in parts (clipboard-image.ts), put together here before main sees them.
 */
import type { ChannelMessage } from '../../shared/input-events';
import type { FlxraApi } from '../../shared/api';
import type { ClipboardOutcome } from '../../shared/assist-protocol';
import { imageParts, ImageAssembler } from '../../shared/clipboard-image';

type Send = (m: ChannelMessage) => void;

/** The operator's image in parts (one transfer at a time), and the number of the next image sent back. */
const incoming = new ImageAssembler();
let nextImage = 1;

const answer = (send: Send, done: string) => (r: ClipboardOutcome) =>
  send(
    r.ok
      ? { kind: 'clipboard-result', ok: true, message: done }
      : { kind: 'clipboard-result', ok: false, code: r.code, message: r.message },
  );
const noAnswer = (send: Send) => () =>
  send({ kind: 'clipboard-result', ok: false, code: 'unavailable', message: 'The device did not answer.' });

/** Handles a clipboard message from the operator; false for any other message. */
export function clipboardFromOperator(api: FlxraApi, m: ChannelMessage, send: Send): boolean {
  if (m.kind === 'clipboard-push') {
    void api.host
      .clipboardIn(m.text)
      .then((r) =>
        send(
          r.ok
            ? { kind: 'clipboard-result', ok: true, message: "Copied to the device's clipboard." }
            : { kind: 'clipboard-result', ok: false, code: r.code, message: r.message },
        ),
      )
      .catch(() =>
        send({ kind: 'clipboard-result', ok: false, code: 'unavailable', message: 'The device did not answer.' }),
      );
    return true;
  }
  if (m.kind === 'clipboard-image-part' && m.transfer === 'push') {
    const got = incoming.add(m);
    if (got && 'problem' in got)
      send({ kind: 'clipboard-result', ok: false, code: 'unavailable', message: got.problem });
    else if (got)
      void api.host
        .clipboardImageIn(got.done)
        .then(answer(send, "The image is on the device's clipboard."))
        .catch(noAnswer(send));
    return true;
  }
  if (m.kind === 'clipboard-fetch') {
    void api.host
      .clipboardOut()
      .then((r) => {
        if (r.ok && r.image) return imageParts(r.image, 'fetched', nextImage++).forEach(send);
        send(
          r.ok
            ? { kind: 'clipboard-text', text: r.text ?? '', how: 'fetched' }
            : { kind: 'clipboard-result', ok: false, code: r.code, message: r.message },
        );
      })
      .catch(() =>
        send({ kind: 'clipboard-result', ok: false, code: 'unavailable', message: 'The device did not answer.' }),
      );
    return true;
  }
  return false;
}
