/**
 * The operator's clipboard panel, self-contained (the viewer's toolbar opens it): text for the device's clipboard
 * (taken from the operator's own clipboard, or typed) sent on the operator's click; the device's clipboard fetched
 * on the operator's click, or arriving by itself while the user shares it from the indicator, then put on the
 * operator's clipboard. What the relay refuses (session:features) and view-only are said before anything is sent;
 * the device decides again (host-assist.ts) and its answer is shown. Nothing is sent twice unchanged. "Type it"
 * types the text as keystrokes instead, through the device's Unicode input path (where pasting does not work).
 * Images both ways (ClipboardImage.tsx): the device's shown when it holds one and no text; one pasted here is sent.
 */
import { useEffect, useRef, useState } from 'react';
import { CLIPBOARD_MAX_CHARS, clipboardTooLarge, type AssistView } from '../../shared/assist-protocol';
import { askDevice, resetClipboard, useClipboardStore } from './clipboard-store';
import { DeviceImage, ImageToDevice } from './ClipboardImage';
import { MAX_TYPED_CHARS } from '../../shared/input-events';
import { sendInput } from './remote-screen';

const api = () => window.flxra.operator;

/** Typed through the device's Unicode input path (input-events.ts `text`), in chunks the channel carries. */
function typeOnDevice(text: string) {
  // By characters, half the limit: one outside the BMP counts twice in the schema's length.
  const chars = [...text];
  const step = MAX_TYPED_CHARS / 2;
  for (let i = 0; i < chars.length; i += step) sendInput({ t: 'text', text: chars.slice(i, i + step).join('') });
}

export interface ClipboardPanelProps {
  view: AssistView;
  /** Whether the operator has control now (text to the device is refused in view-only). */
  control: boolean;
}

export function ClipboardPanel({ view, control }: ClipboardPanelProps) {
  const { fromDevice, result, pending } = useClipboardStore();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const lastSent = useRef<string | null>(null);
  useEffect(() => {
    resetClipboard();
    lastSent.current = null;
  }, [view.sessionId]);
  // What arrives from the device goes on the operator's own clipboard too.
  useEffect(() => {
    if (fromDevice && !fromDevice.image)
      void api()
        .tools.copy(fromDevice.text)
        .catch(() => undefined);
  }, [fromDevice]);
  const features = view.features;
  const toDevice = !features
    ? 'The clipboard is shared only once the assistance is active.'
    : !features.clipboardToDevice.allowed
      ? features.clipboardToDevice.reason
      : !control
        ? 'View only: the user has not given you control, so nothing can be pasted on the device.'
        : null;
  const fromDeviceRefusal = !features
    ? 'The clipboard is shared only once the assistance is active.'
    : !features.clipboardFromDevice.allowed
      ? features.clipboardFromDevice.reason
      : null;
  const send = () => {
    if (text.length > CLIPBOARD_MAX_CHARS) return setProblem(clipboardTooLarge(text.length));
    if (text === lastSent.current) return setProblem('This text is on the device already.');
    if (!askDevice({ kind: 'clipboard-push', text })) return setProblem('The device is not connected just now.');
    lastSent.current = text;
    setProblem(null);
  };
  const fetch = () => {
    if (!askDevice({ kind: 'clipboard-fetch' })) return setProblem('The device is not connected just now.');
    setProblem(null);
  };
  return (
    <section className="clipboard-panel" aria-label="Clipboard" data-testid="clipboard-panel">
      <h3>Clipboard</h3>
      <label>
        Text for the device
        <textarea data-testid="clipboard-to-device" value={text} onChange={(e) => setText(e.target.value)} rows={3} />
      </label>
      <div className="row">
        <button
          onClick={() =>
            void api()
              .tools.paste()
              .then(setText)
              .catch(() => undefined)
          }
        >
          Take my clipboard
        </button>
        <button disabled={toDevice !== null || pending || text === ''} onClick={send}>
          Send to the device
        </button>
        <button
          disabled={!control || text === ''}
          title="Types the text as characters where the device's keyboard has no key for them"
          onClick={() => typeOnDevice(text)}
        >
          Type it on the device
        </button>
      </div>
      {toDevice && <p data-testid="clipboard-to-device-refused">{toDevice}</p>}
      <ImageToDevice refusal={toDevice} />
      <div className="row">
        <button disabled={fromDeviceRefusal !== null || pending} onClick={fetch}>
          Get the device's clipboard
        </button>
      </div>
      {fromDeviceRefusal && <p data-testid="clipboard-from-device-refused">{fromDeviceRefusal}</p>}
      {fromDevice?.image && <DeviceImage png={fromDevice.image} />}
      {fromDevice && !fromDevice.image && (
        <label>
          {fromDevice.how === 'shared' ? 'Shared by the user' : "The device's clipboard"} (on your clipboard too)
          <textarea readOnly data-testid="clipboard-from-device" value={fromDevice.text} rows={3} />
        </label>
      )}
      {(problem ?? result) && (
        <p role="status" data-testid="clipboard-result" data-ok={problem ? 'false' : String(result!.ok)}>
          {problem ?? result!.message}
        </p>
      )}
    </section>
  );
}
