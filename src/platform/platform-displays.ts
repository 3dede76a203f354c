/**
 * Picks the platform's display provider (X11: Xinerama/RandR monitors; Windows: user32's
 * monitors), loading only that one. Kept apart from the interface (displays.ts) so the
 * implementations import it without a cycle back to here. The Electron app on Windows describes
 * its displays with Electron's screen module instead (DIPs, mapped by the injector's toPhysical).
 */
import type { DisplayProvider, DisplayProviderOptions } from './displays.js';

export async function createDisplayProvider(
  opts: DisplayProviderOptions = {},
  platform: NodeJS.Platform = process.platform,
): Promise<DisplayProvider> {
  const onError = opts.onError ?? ((err: Error) => console.error(`displays: ${err.message}`));
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') {
    const { createX11DisplayProvider } = await import('./x11-displays.js');
    return createX11DisplayProvider({ display: opts.display, onError });
  }
  if (platform === 'win32') {
    const { createWindowsDisplayProvider } = await import('./windows-displays.js');
    return createWindowsDisplayProvider();
  }
  throw new Error(`no display provider for ${platform}: describe displays with Electron's screen module there`);
}
