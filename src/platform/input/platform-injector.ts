/**
 * Picks the platform's input injector (SendInput on Windows, XTest on X11), loading only that
 * one: each pulls in native code that exists on its own platform only. Kept apart from the seam
 * (injector.ts) so the implementations import the interface without a cycle back to here.
 */
import type { InjectorOptions, InputInjector } from './injector.js';

/** The injector for a platform; rejects where flxra cannot inject (macOS, Wayland-only). */
export async function createInputInjector(
  platform: NodeJS.Platform = process.platform,
  opts: InjectorOptions = {},
): Promise<InputInjector> {
  const onError = opts.onError ?? ((err: Error) => console.error(`input injection: ${err.message}`));
  if (platform === 'win32') {
    // Loaded only here: it pulls in koffi and user32.dll, which exist only on Windows.
    const { createSendInputInjector } = await import('./windows-send-input.js');
    return createSendInputInjector({ toPhysical: opts.toPhysical, onError });
  }
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') {
    const { createX11Injector } = await import('./x11-injector.js');
    return createX11Injector({ display: opts.display, onError });
  }
  throw new Error(`input injection is not supported on ${platform}`);
}
