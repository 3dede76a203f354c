import { useEffect, useRef } from 'react';
import { listenAll } from './listen';
import { pointOnDisplay, viewRect } from '../../shared/display-view';
import type { AccessMode } from '../../shared/protocol';
import { contentBox, mouseButton, normalisePoint, wheelNotches } from './pointer-mapping';
import { sendInput } from './remote-screen';
import { recordKey, recordPointer } from './session-recorder';
import { useOperatorStore } from './store';
import { focusToolbar, isToolbarShortcut } from './Toolbar';
import { useViewerStore } from './viewer-store';
import { SecureDesktopScreen, useSecureDesktopStore } from './SecureDesktopScreen';

export function hasSound(stream: MediaStream | null): boolean {
  return (stream?.getAudioTracks().length ?? 0) > 0;
}

/**
 * The remote screen, fitted to the window or at 100 % (scrolled); in control mode it forwards mouse
 * and keyboard. The picture is one display or all of them (the host says which: 'showing'); a point
 * on it goes to the display under it (display-view.ts). Files dropped on it go to the device
 * (`onFiles`, given only while the relay allows files to the device).
 */
export function Viewer({ mode, onFiles }: { mode: AccessMode; onFiles?: ((files: File[]) => void) | undefined }) {
  const size = useViewerStore((s) => s.size);
  const stream = useOperatorStore((s) => s.stream);
  const displays = useOperatorStore((s) => s.displays);
  const showing = useOperatorStore((s) => s.showing);
  const videoRef = useRef<HTMLVideoElement>(null);
  // A host that has not said what it shows shows its first display.
  const shown = showing?.rect ?? viewRect(displays, displays[0]?.id ?? null);
  const controlling = mode === 'control' && shown !== null;
  const target = useRef({ displays, shown });
  useEffect(() => {
    target.current = { displays, shown };
  }, [displays, shown]);
  // While the device's secure desktop is up its frames (through the agent and the relay) replace the video.
  const secureUp = useSecureDesktopStore((s) => s.up);

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
    if (!video || !controlling || secureUp) return;
    /** Where on the picture (0…1), kept by the recording where the policy requires one (session-recorder.ts). */
    const point = (e: MouseEvent, kind: 'down' | 'up' | 'move' | 'wheel') => {
      const r = video.getBoundingClientRect();
      const p = normalisePoint(e.clientX, e.clientY, contentBox(r, video.videoWidth, video.videoHeight));
      const { displays, shown } = target.current;
      if (p) recordPointer(kind, p.x, p.y, kind === 'down' || kind === 'up' ? e.button : undefined);
      return p && shown ? pointOnDisplay(displays, shown, p) : null;
    };
    const onMove = (e: PointerEvent) => {
      const p = point(e, 'move');
      if (p) sendInput({ t: 'move', ...p });
    };
    const onButton = (down: boolean) => (e: PointerEvent) => {
      const p = point(e, down ? 'down' : 'up');
      const button = mouseButton(e.button);
      if (!p || !button) return;
      e.preventDefault();
      video.focus();
      if (down) video.setPointerCapture(e.pointerId);
      sendInput({ t: 'button', ...p, button, down });
    };
    const onWheel = (e: WheelEvent) => {
      const p = point(e, 'wheel');
      if (!p) return;
      e.preventDefault();
      sendInput({
        t: 'wheel',
        ...p,
        dx: wheelNotches(e.deltaX, e.deltaMode),
        dy: wheelNotches(e.deltaY, e.deltaMode),
      });
    };
    const onKey = (down: boolean) => (e: KeyboardEvent) => {
      if (!e.code) return;
      e.preventDefault();
      // The toolbar's shortcut stays here (its keys' releases still go: nothing stays held).
      if (isToolbarShortcut(e)) return down ? focusToolbar() : undefined;
      recordKey(e.key, down);
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
    const stop = listenAll([
      [video, 'pointermove', onMove],
      [video, 'pointerdown', down],
      [video, 'pointerup', up],
      [video, 'wheel', onWheel, { passive: false }],
      [video, 'contextmenu', noMenu],
      [video, 'keydown', keyDown],
      [video, 'keyup', keyUp],
      [video, 'blur', releaseAll],
      [window, 'blur', releaseAll],
    ]);
    video.focus();
    return () => {
      releaseAll();
      stop();
    };
  }, [controlling, secureUp]);

  return (
    <div
      className={`screen-frame ${size}`}
      data-testid="screen-frame"
      onDragOver={(e) => {
        if (onFiles && e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        if (!onFiles || e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        onFiles([...e.dataTransfer.files]);
      }}
    >
      {secureUp && <SecureDesktopScreen controlling={mode === 'control'} />}
      <video
        hidden={secureUp}
        ref={videoRef}
        className={`remote-screen ${size}${controlling ? ' controlling' : ''}`}
        data-testid="remote-screen"
        autoPlay
        muted
        playsInline
        tabIndex={0}
        aria-label="Remote screen"
      />
    </div>
  );
}
