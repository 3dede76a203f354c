/**
 * The host role wired once: the platform's input (injector, displays, the controller's rules)
 * and the HostSession over it, closed in the reverse order. The Electron app, the Chromium host
 * (dev/chromium-host/host.ts) and the end-to-end rig all build the host here, so what the tests
 * run is the app's own wiring; each passes only what differs (where the displays come from,
 * flxra's own windows, where window events go).
 */
import { createHostInput, type HostInput, type HostInputOptions } from '../../platform/input/host-input.js';
import { HostSession, type HostSessionOptions } from './host-session.js';

export interface HostRoleOptions extends Omit<HostSessionOptions, 'input' | 'displays'> {
  /** How input reaches this desktop: the X display, Electron's screen on Windows, own windows. */
  input: HostInputOptions;
}

export interface HostRole {
  session: HostSession;
  input: HostInput;
  /** Stops the session first (no input after it), then releases the injector and displays. */
  close(): Promise<void>;
}

export async function createHostRole(opts: HostRoleOptions): Promise<HostRole> {
  const { input: inputOptions, ...sessionOptions } = opts;
  const input = await createHostInput(inputOptions);
  const session = new HostSession({ ...sessionOptions, input: input.controller, displays: input.displays });
  return {
    session,
    input,
    close: async () => {
      session.stop();
      await input.close();
    },
  };
}
