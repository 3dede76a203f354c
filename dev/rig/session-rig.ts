/**
 * The end-to-end fixture: every test gets its own relay (fresh data folder), a fresh browser
 * profile, a host (real HostSession, real X11 input injection, host page capturing the real
 * Xvfb screen) and an operator (real OperatorSession, operator page). Only the Electron
 * binding lines are replaced, by the Playwright bridge in dev/chromium-host/renderer-harness.ts.
 * The host and the operator are built in rig-host.ts and rig-operator.ts, which the rig whose
 * host its device's agent starts (agent-rig.ts) shares.
 */
import type { Browser } from 'playwright-core';
import type { UserSession } from '../../src/shared/user-sessions.js';
import { startTestRelay, type TestRelay, type TestRelayOptions } from './relay.js';
import { openRigHost, type RigHost, type RigHostOptions } from './rig-host.js';
import { startRigBase, type RigOperator, type RigOperatorOptions } from './rig-operator.js';

export { RigDesktop, type RigOperator } from './rig-operator.js';
export type { RigHost } from './rig-host.js';

/** What the rig needs of a relay: the in-process test relay, or one running as its own process (relay-process.ts). */
export interface RigRelay {
  url: string;
  operatorToken: string;
  addDevice(name: string): Promise<{ id: string; token: string }>;
}

export interface SessionRig<R extends RigRelay = TestRelay> {
  relay: R;
  browser: Browser;
  host: Omit<RigHost, 'close' | 'closed'> & { deviceId?: string };
  operator: RigOperator;
  close(): Promise<void>;
}

export interface SessionRigOptions extends RigOperatorOptions, RigHostOptions {
  /** Enrol the host as a device (assistances can then be requested for it, unattended too). */
  enrolled?: boolean;
  /** The device's user sessions as its reader would report them. */
  userSessions?: UserSession[];
  /** The rig's own relay's options (its TURN server, say). */
  relay?: TestRelayOptions;
}

/** The rig on a relay of its own (a fresh in-process test relay, closed with the rig). */
export async function startSessionRig(display: string, opts: SessionRigOptions = {}): Promise<SessionRig> {
  const relay = await startTestRelay(opts.relay);
  try {
    const rig = await startSessionRigOn(display, relay, opts);
    return { ...rig, close: () => rig.close().finally(() => relay.close()) };
  } catch (err) {
    await relay.close();
    throw err;
  }
}

/** The rig on a relay its caller runs (and closes). */
export async function startSessionRigOn<R extends RigRelay>(
  display: string,
  relay: R,
  opts: SessionRigOptions = {},
): Promise<SessionRig<R>> {
  const base = await startRigBase(display, relay, opts);
  try {
    const device = opts.enrolled ? await relay.addDevice('test-desktop') : undefined;
    const host = await openRigHost({
      browser: base.browser,
      baseUrl: base.baseUrl,
      display,
      relayUrl: relay.url,
      ...(opts.hostRoute ? { hostRoute: opts.hostRoute } : {}),
      deviceName: 'test-desktop',
      ...(device ? { deviceToken: device.token } : {}),
      userSessions: opts.userSessions ?? [],
      ...(opts.verification ? { verification: opts.verification } : {}),
      ...(opts.consentTimeoutMs !== undefined ? { consentTimeoutMs: opts.consentTimeoutMs } : {}),
      ...(opts.hostBrowser ? { hostBrowser: opts.hostBrowser } : {}),
    });
    base.cleanups.push(() => host.close());
    return {
      relay,
      browser: base.browser,
      host: { ...host, ...(device ? { deviceId: device.id } : {}) },
      operator: base.operator,
      close: () => base.close(),
    };
  } catch (err) {
    await base.close();
    throw err;
  }
}
