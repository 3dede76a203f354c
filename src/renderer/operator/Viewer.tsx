import { useEffect, useRef } from 'react';
import type { AccessMode } from '../../shared/protocol';
import { contentBox, mouseButton, normalisePoint, wheelNotches } from './pointer-mapping';
import { sendInput } from './remote-screen';
import { useOperatorStore } from './store';

export function hasSound(stream: MediaStream | null): boolean {
  return (stream?.getAudioTracks().length ?? 0) > 0;
}

/** The remote screen, scaled to fit; in control mode it forwards mouse and keyboard. */
export function Viewer({ mode }: { mode: AccessMode }) {
  const stream = useOperatorStore((s) => s.stream);
  const displays = useOperatorStore((s) => s.displays);
  const videoRef = useRef<HTMLVideoElement>(null);
  const display = displays[0]?.id;
  const controlling = mode === 'control' && display !== undefined;

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = stream;
    // Sound plays only when the host shares it (its policy allows audio redirection). Should the
    // browser refuse to play with sound, the picture matters more: it plays muted.
    video.muted = !hasSound(stream);
    if (stream && !video.muted) {
      video.play().catch(() => {
        video.muted = true;
        void video.play().catch(() => undefined);
      });
    }
  }, [stream]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !controlling || !display) return;
    const point = (e: MouseEvent) => {
      const r = video.getBoundingClientRect();
      return normalisePoint(e.clientX, e.clientY, contentBox(r, video.videoWidth, video.videoHeight));
    };
    const onMove = (e: PointerEvent) => {
      const p = point(e);
      if (p) sendInput({ t: 'move', display, ...p });
    };
    const onButton = (down: boolean) => (e: PointerEvent) => {
      const p = point(e);
      const button = mouseButton(e.button);
      if (!p || !button) return;
      e.preventDefault();
      video.focus();
      if (down) video.setPointerCapture(e.pointerId);
      sendInput({ t: 'button', display, ...p, button, down });
    };
    const onWheel = (e: WheelEvent) => {
      const p = point(e);
      if (!p) return;
      e.preventDefault();
      sendInput({
        t: 'wheel',
        display,
        ...p,
        dx: wheelNotches(e.deltaX, e.deltaMode),
        dy: wheelNotches(e.deltaY, e.deltaMode),
      });
    };
    const onKey = (down: boolean) => (e: KeyboardEvent) => {
      if (!e.code) return;
      e.preventDefault();
      sendInput({
        t: 'key',
        code: e.code,
        down,
        mods: { shift: e.shiftKey, ctrl: e.ctrlKey, alt: e.altKey, meta: e.metaKey },
      });
    };
    // Whatever the operator holds is let go when the viewer loses focus.
    const releaseAll = () => sendInput({ t: 'release-all' });
    const noMenu = (e: Event) => e.preventDefault();
    const down = onButton(true);
    const up = onButton(false);
    const keyDown = onKey(true);
    const keyUp = onKey(false);
    video.addEventListener('pointermove', onMove);
    video.addEventListener('pointerdown', down);
    video.addEventListener('pointerup', up);
    video.addEventListener('wheel', onWheel, { passive: false });
    video.addEventListener('contextmenu', noMenu);
    video.addEventListener('keydown', keyDown);
    video.addEventListener('keyup', keyUp);
    video.addEventListener('blur', releaseAll);
    window.addEventListener('blur', releaseAll);
    video.focus();
    return () => {
      releaseAll();
      video.removeEventListener('pointermove', onMove);
      video.removeEventListener('pointerdown', down);
      video.removeEventListener('pointerup', up);
      video.removeEventListener('wheel', onWheel);
      video.removeEventListener('contextmenu', noMenu);
      video.removeEventListener('keydown', keyDown);
      video.removeEventListener('keyup', keyUp);
      video.removeEventListener('blur', releaseAll);
      window.removeEventListener('blur', releaseAll);
    };
  }, [controlling, display]);

  return (
    <video
      ref={videoRef}
      className={controlling ? 'remote-screen controlling' : 'remote-screen'}
      data-testid="remote-screen"
      autoPlay
      muted
      playsInline
      tabIndex={0}
      aria-label="Remote screen"
    />
  );
}
