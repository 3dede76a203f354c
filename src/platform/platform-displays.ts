/**
 * Picks the platform's display provider (X11: Xinerama/RandR monitors), loading only that one.
 * Kept apart from the interface (displays.ts) so the implementations import it without a cycle
 * back to here. Windows describes its displays with Electron's screen module instead.
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
  throw new Error(`no display provider for ${platform}: describe displays with Electron's screen module there`);
}
