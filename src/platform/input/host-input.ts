/**
 * The host's input side in one piece: the platform's injector, the displays it addresses, and
 * the controller that applies the session's rules on top. The Electron app, the Chromium host
 * and the tests all build it here, so they inject the same way.
 */
import type { DisplayInfo } from '../../shared/input-events.js';
import { createDisplayProvider } from '../platform-displays.js';
import type { InjectorOptions } from './injector.js';
import { createInputInjector } from './platform-injector.js';
import { HostInputController, type Rect } from './input-controller.js';

export interface HostInput {
  controller: HostInputController;
  displays: () => DisplayInfo[];
  close(): Promise<void>;
}

export interface HostInputOptions extends Pick<InjectorOptions, 'display' | 'toPhysical'> {
  /**
   * Where the displays come from when the platform has no provider of flxra's own (Windows:
   * Electron's screen module). On X11 the provider speaks X pixels, the injector's coordinates.
   */
  displays?: () => DisplayInfo[];
  /** flxra's own windows, which injected input must never reach; none when the host page is headless. */
  ownWindows?: () => Rect[];
  ownWindowFocused?: () => boolean;
}

export async function createHostInput(opts: HostInputOptions = {}): Promise<HostInput> {
  const injector = await createInputInjector(process.platform, {
    ...(opts.display ? { display: opts.display } : {}),
    ...(opts.toPhysical ? { toPhysical: opts.toPhysical } : {}),
  });
  const provider = opts.displays
    ? null
    : await createDisplayProvider(opts.display ? { display: opts.display } : {}).catch(async (err: unknown) => {
        await injector.close(); // no displays, no host: the injector's connection goes too
        throw err;
      });
  const displays = opts.displays ?? (() => provider!.list());
  const controller = new HostInputController(injector, {
    displays,
    ownWindows: opts.ownWindows ?? (() => []),
    ...(opts.ownWindowFocused ? { ownWindowFocused: opts.ownWindowFocused } : {}),
  });
  return {
    controller,
    displays,
    close: async () => {
      controller.setEnabled(false);
      await provider?.close();
      await injector.close();
    },
  };
}
