/**
 * The device's secure desktop (a UAC prompt, the Ctrl+Alt+Del screen, the logon screen) in the
 * operator's viewer. The host's video cannot show it (the user's process cannot capture it); its
 * frames come from the SYSTEM helper through the device's agent and the relay
 * (docs/secure-desktop.md) as deflated bands of BGRA, put together by secure-desktop-picture.ts and
 * drawn here on a canvas (the rows each band changed) in place of the video while the secure
 * desktop is up. With control, the pointer and keys on the canvas go as
 * secure-desktop:input (virtual-screen pixels; keys by code, main maps them to Windows scan
 * codes), never to the host.
 */
import { listenAll } from './listen';
import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import type { SecureDesktopInput } from '../../shared/secure-desktop-input';
import type { InputRefusal } from '../../shared/special-keys';
import { mouseButton } from './pointer-mapping';
import { addBand, currentPicture, onPicture, resetPicture, type Geometry } from './secure-desktop-picture';
import { useViewerStore } from './viewer-store';

interface SecureDesktopView {
  up: boolean;
  /** The picture's size and virtual-screen origin, once its first band is in. */
  frame: Geometry | null;
  refused: string | null;
  /** The device's SYSTEM helper is attached: the toolbar's Ctrl+Alt+Del goes to it (SpecialKeys.tsx). */
  helper: boolean;
}
export const useSecureDesktopStore = create<SecureDesktopView>(() => ({
  up: false,
  frame: null,
  refused: null,
  helper: false,
}));

/** The device's refusal of Ctrl+Alt+Del (special-keys.ts's codes): the toolbar shows it beside its button. */
const sasRefusalCode = (code: string): InputRefusal['code'] | null =>
  code === 'sas-unsupported' || code === 'sas-unavailable' ? code : null;

/** Subscribes the page to the main process's secure-desktop events (once, at start). */
export function watchSecureDesktop(): void {
  window.flxra.operator.viewer.onSecureDesktop((e) => {
    if ('up' in e) {
      resetPicture();
      useSecureDesktopStore.setState({ up: e.up, frame: null, refused: null });
    } else if ('frame' in e) addBand(e.frame, (frame) => useSecureDesktopStore.setState({ frame }));
    else if ('helper' in e) useSecureDesktopStore.setState({ helper: e.helper });
    else {
      const sas = sasRefusalCode(e.code);
      if (sas) useViewerStore.getState().setRefusal({ code: sas, message: e.refused });
      else useSecureDesktopStore.setState({ refused: e.refused });
    }
  });
  // An assistance that is over leaves no secure desktop (nor helper) behind for the next one.
  window.flxra.operator.onState((s) => {
    if (s.status !== 'active') {
      resetPicture();
      useSecureDesktopStore.setState({ up: false, frame: null, refused: null, helper: false });
    }
  });
}

const send = (input: SecureDesktopInput) => void window.flxra.operator.viewer.secureDesktopInput(input);

export function SecureDesktopScreen({ controlling }: { controlling: boolean }) {
  const frame = useSecureDesktopStore((s) => s.frame);
  const refused = useSecureDesktopStore((s) => s.refused);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const draw = (picture: NonNullable<ReturnType<typeof currentPicture>>, rows = { y: 0, rows: picture.height }) => {
      const whole = canvas.width !== picture.width || canvas.height !== picture.height;
      if (whole) {
        canvas.width = picture.width;
        canvas.height = picture.height;
      }
      const y = whole ? 0 : rows.y;
      const h = whole ? picture.height : rows.rows;
      canvas.getContext('2d')?.putImageData(picture.image, 0, 0, 0, y, picture.width, h);
      canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? 0) + 1);
    };
    const now = currentPicture();
    if (now) draw(now);
    return onPicture(draw);
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !controlling) return;
    /** The canvas's CSS box → the frame's virtual-screen pixels. */
    const at = (e: MouseEvent) => {
      const f = useSecureDesktopStore.getState().frame;
      if (!f) return null;
      const r = canvas.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return null;
      const x = Math.floor(((e.clientX - r.left) * f.width) / r.width);
      const y = Math.floor(((e.clientY - r.top) * f.height) / r.height);
      if (x < 0 || y < 0 || x >= f.width || y >= f.height) return null;
      return { x: f.left + x, y: f.top + y };
    };
    const onMove = (e: PointerEvent) => {
      const p = at(e);
      if (p) send({ kind: 'pointer', action: 'move', ...p });
    };
    const onButton = (down: boolean) => (e: PointerEvent) => {
      const p = at(e);
      const button = mouseButton(e.button);
      if (!p || (button !== 'left' && button !== 'right' && button !== 'middle')) return;
      e.preventDefault();
      canvas.focus();
      send({ kind: 'pointer', action: down ? 'down' : 'up', button, ...p });
    };
    const onWheel = (e: WheelEvent) => {
      const p = at(e);
      if (!p) return;
      e.preventDefault();
      send({ kind: 'pointer', action: 'wheel', wheel: e.deltaY < 0 ? 120 : -120, ...p });
    };
    const onKey = (down: boolean) => (e: KeyboardEvent) => {
      if (!e.code) return;
      e.preventDefault();
      void window.flxra.operator.viewer.secureDesktopKey(e.code, down);
    };
    const down = onButton(true);
    const up = onButton(false);
    const keyDown = onKey(true);
    const keyUp = onKey(false);
    const noMenu = (e: Event) => e.preventDefault();
    const stop = listenAll([
      [canvas, 'pointermove', onMove],
      [canvas, 'pointerdown', down],
      [canvas, 'pointerup', up],
      [canvas, 'wheel', onWheel, { passive: false }],
      [canvas, 'contextmenu', noMenu],
      [canvas, 'keydown', keyDown],
      [canvas, 'keyup', keyUp],
    ]);
    canvas.focus();
    return stop;
  }, [controlling]);

  return (
    <div className="secure-desktop" data-testid="secure-desktop">
      <p role="status">
        The device shows a secure screen (a permission prompt, Ctrl+Alt+Del or the sign-in screen), seen through its
        service{controlling ? '' : ': view only'}.{frame ? '' : ' Waiting for its picture…'}
      </p>
      {refused && <p className="error">{refused}</p>}
      <canvas
        ref={canvasRef}
        className="secure-desktop-screen"
        data-testid="secure-desktop-screen"
        tabIndex={0}
        aria-label="The device's secure screen"
      />
    </div>
  );
}
