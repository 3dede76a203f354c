/**
 * The host role wired once: the platform's input (injector, displays, the controller's rules)
 * and the HostSession over it, closed in the reverse order, and the window's clean end
 * (window-close.ts: once nothing is shared, it closes itself). The Electron app, the Chromium
 * host (dev/chromium-host/host.ts) and the end-to-end rig all build the host here, so what the
 * tests run is the app's own wiring; each passes only what differs (where the displays come from,
 * flxra's own windows, where window events go, how its window closes).
 */
import type { HostState } from '../../shared/ipc.js';
import { createHostInput, type HostInput, type HostInputOptions } from '../../platform/input/host-input.js';
import { HostSession, type HostSessionOptions } from './host-session.js';
import { WindowClose, type WindowCloseOptions } from './window-close.js';

export interface HostRoleOptions extends Omit<HostSessionOptions, 'input' | 'displays'> {
  /** How input reaches this desktop: the X display, Electron's screen on Windows, own windows. */
  input: HostInputOptions;
  /** How the host window closes itself once nothing is shared (and the timer for it). */
  window: WindowCloseOptions;
}

export interface HostRole {
  session: HostSession;
  input: HostInput;
  /** The window's countdown to closing after the session's end. */
  window: WindowClose;
  /** Stops the session first (no input after it), then releases the injector and displays. */
  close(): Promise<void>;
}

export async function createHostRole(opts: HostRoleOptions): Promise<HostRole> {
  const { input: inputOptions, window: windowOptions, emit, ...sessionOptions } = opts;
  const input = await createHostInput(inputOptions);
  const window = new WindowClose(windowOptions);
  const session = new HostSession({
    ...sessionOptions,
    emit: (channel, payload) => {
      emit(channel, payload);
      if (channel === 'host:state') window.observe(payload as HostState);
    },
    input: input.controller,
    displays: input.displays,
  });
  return {
    session,
    input,
    window,
    close: async () => {
      session.stop();
      await input.close();
    },
  };
}
