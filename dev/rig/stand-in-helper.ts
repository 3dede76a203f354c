/**
 * A stand-in for the Windows secure-desktop helper on the Linux rigs, at the agent's platform seam
 * (src/agent/helper/helper-platform.ts): "starting" it records the session and pipe the agent
 * asked for, and "connecting" to its pipe gives a helper client that answers captures with a
 * known image and records the input it is sent. The real helper and launcher run under Wine
 * (test/windows/secure-desktop-wine.test.ts, helper-launch-wine.test.ts); this lets the agent,
 * relay and viewer around them run here.
 */
import type { HelperPlatform } from '../../src/agent/helper/helper-platform.js';
import type { HelperConnect } from '../../src/agent/helper/helper-supervisor.js';
import type { HelperClient } from '../../src/platform/secure-desktop/pipe-client.js';
import type { HelperRequest } from '../../src/platform/secure-desktop/pipe-codec.js';

export interface StandInHelper {
  platform: HelperPlatform;
  connect: HelperConnect;
  /** Every start the agent asked for: the WTS session and the pipe's name. */
  starts: Array<{ session: number; pipe: string }>;
  /** How many captures were asked of it. */
  captures(): number;
  inputs: Array<Extract<HelperRequest, { kind: 'pointer' | 'key' }> | { kind: 'sas' }>;
  /** Its input desktop changes (as the real helper's `desktop` event). */
  switchDesktop(desktop: string): void;
  /** Whether the agent closed the pipe of the latest helper (it would exit then). */
  closed(): boolean;
}

export function standInHelper(opts: {
  console: number;
  desktop: string;
  frame: { width: number; height: number; pixels: Buffer };
}): StandInHelper {
  const starts: StandInHelper['starts'] = [];
  const inputs: StandInHelper['inputs'] = [];
  let captures = 0;
  let closed = false;
  let onDesktop: ((d: string) => void) | undefined;
  let desktop = opts.desktop;
  let exit: (() => void) | undefined;
  const platform: HelperPlatform = {
    available: true,
    exe: 'C:\\Program Files\\flxra\\agent\\flxra-desktop-helper.exe',
    launch: {
      activeConsoleSession: () => Promise.resolve(opts.console),
      start: (_exe, session, pipe) => {
        starts.push({ session, pipe });
        const exited = new Promise<number | null>((r) => (exit = () => r(0)));
        return Promise.resolve({ pid: 4000 + starts.length, exited, kill: () => exit?.(), notes: [] });
      },
    },
  };
  const connect: HelperConnect = (_pipe, clientOpts) => {
    closed = false;
    onDesktop = clientOpts.onDesktop;
    const client: HelperClient = {
      hello: {
        protocol: 1,
        helper: '1.0.0',
        pid: 4000 + starts.length,
        pipeSddl: 'D:P(A;;GA;;;SY)',
        session: opts.console,
        desktop,
      },
      capture: () => {
        captures++;
        return Promise.resolve({ ok: true, value: { ...opts.frame, left: 0, top: 0 } });
      },
      input: (request) => {
        inputs.push(request);
        return Promise.resolve({ ok: true, value: null });
      },
      sas: () => {
        inputs.push({ kind: 'sas' });
        return Promise.resolve({ ok: true, value: null });
      },
      sessions: () => Promise.resolve({ ok: true, value: [] }),
      close: () => {
        closed = true;
        // The real helper exits once its one client is gone.
        exit?.();
      },
    };
    return Promise.resolve(client);
  };
  return {
    platform,
    connect,
    starts,
    captures: () => captures,
    inputs,
    switchDesktop: (d) => {
      desktop = d;
      onDesktop?.(d);
    },
    closed: () => closed,
  };
}
