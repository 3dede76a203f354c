/**
 * Adds a set of DOM listeners at once and returns the one call that removes them all: the remote
 * screen (Viewer.tsx) and the secure desktop's canvas (SecureDesktopScreen.tsx) each wire seven
 * or more pointer and key handlers in an effect whose cleanup must remove exactly those.
 */
export type Listener = [
  target: EventTarget,
  type: string,
  handler: (e: never) => void,
  options?: AddEventListenerOptions,
];

export function listenAll(listeners: Listener[]): () => void {
  for (const [target, type, handler, options] of listeners)
    target.addEventListener(type, handler as EventListener, options);
  return () => {
    for (const [target, type, handler] of listeners) target.removeEventListener(type, handler as EventListener);
  };
}
