/**
 * The end-to-end fixture: every test gets its own relay (fresh data folder), a fresh browser
 * profile, a host (real HostSession, real X11 input injection, host page capturing the real
 * Xvfb screen) and an operator (real OperatorSession, operator page). Only the Electron
 * binding lines are replaced, by the Playwright bridge in dev/chromium-host/renderer-harness.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { HostSession } from '../../src/main/host/host-session.js';
import { createIpcHandlers, type IpcHandlers } from '../../src/main/ipc/handlers.js';
import { OperatorController, type DesktopParts } from '../../src/main/operator/operator-controller.js';
import {
  keytarCredentialStore,
  operatorTokenAccount,
  type CredentialStore,
} from '../../src/platform/credentials/credential-store.js';
import type { UserSession } from '../../src/shared/user-sessions.js';
import { DEFAULT_VERIFICATION, type VerificationPolicy } from '../../src/shared/verification-policy.js';
import type { HostState, OperatorState } from '../../src/shared/ipc.js';
import { randomUUID } from 'node:crypto';
import type { HostInputController } from '../../src/platform/input/input-controller.js';
import { createHostRole } from '../../src/main/host/host-role.js';
import { launchChromium, openRendererPage, serveRenderer } from '../chromium-host/renderer-harness.js';
import { RTC_PROBE } from './page-probes.js';
import { startTestRelay, type TestRelay } from './relay.js';
import { keychainOperatorParts } from '../../src/main/operator/keychain-operator.js';

/** What the rig needs of a relay: the in-process test relay, or one running as its own process (relay-process.ts). */
export interface RigRelay {
  url: string;
  operatorToken: string;
  addDevice(name: string): Promise<{ id: string; token: string }>;
}

export interface SessionRig<R extends RigRelay = TestRelay> {
  relay: R;
  browser: Browser;
  host: {
    session: HostSession;
    input: HostInputController;
    page: Page;
    deviceId?: string;
    states: HostState[];
    /** The window's close-by-itself timer, which the test fires (window-close.ts); the delay it was set with. */
    closeTimer: { pending(): number | null; fire(): void };
    /** Whether the host window closed itself (the page is then closed, as Electron closes the window). */
    windowClosed(): boolean;
  };
  /** `states`: every state the operator window was shown, in order. */
  operator: {
    controller: OperatorController;
    page: Page;
    keychain: CredentialStore;
    states: OperatorState[];
    desktop: RigDesktop;
  };
  close(): Promise<void>;
}

/**
 * The desktop's part the app's Electron lines play (DesktopParts): the test chooses what the
 * "open" dialog answers next, and reads which addresses were opened in the system browser.
 */
export class RigDesktop implements DesktopParts {
  private readonly choices: Array<string | null> = [];
  readonly opened: string[] = [];

  /** What the next "Open activation file…" dialog returns (null: the operator cancels it). */
  choose(filePath: string | null): void {
    this.choices.push(filePath);
  }

  pickActivationFile(): Promise<string | null> {
    return Promise.resolve(this.choices.shift() ?? null);
  }

  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }

  /** The system clipboard, as the test sets and reads it. */
  clipboard = '';
  readClipboard(): string {
    return this.clipboard;
  }
  writeClipboard(text: string): void {
    this.clipboard = text;
  }

  /** The "save" dialog: recorded, and saved as nowhere (the test reads what would have been written). */
  readonly saved: Array<{ name: string; text: string }> = [];
  saveTextFile(name: string, text: string): Promise<string | null> {
    this.saved.push({ name, text });
    return Promise.resolve(`/saved/${name}`);
  }
}

export interface SessionRigOptions {
  /** Enrol the host as a device (assistances can then be requested for it, unattended too). */
  enrolled?: boolean;
  /** The device's user sessions as its reader would report them. */
  userSessions?: UserSession[];
  /** Whether the operator's token is already in the keychain (default), or must be pasted. */
  signedIn?: boolean;
  /** The operator app's clock (activation expiry checks); the real one by default. */
  operatorNow?: () => number;
  /** The device's setting for the verification words (as its agent would pass it); not required by default. */
  verification?: VerificationPolicy;
  /** How long the consent window waits before denying by itself (60 s by default). */
  consentTimeoutMs?: number;
  /** How long the operator's viewer says "reconnecting" before "the relay is unreachable" (20 s by default). */
  operatorRelayGraceMs?: number;
}

/** The rig on a relay of its own (a fresh in-process test relay, closed with the rig). */
export async function startSessionRig(display: string, opts: SessionRigOptions = {}): Promise<SessionRig> {
  const relay = await startTestRelay();
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
  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const renderer = await serveRenderer();
    cleanups.push(() => renderer.close());
    const browser = await launchChromium(display);
    cleanups.push(() => browser.close());

    // Both roles exist before the pages load, which is when the table is first asked for.
    const roles: { host?: HostSession; operator?: OperatorController } = {};
    let handlers: IpcHandlers | undefined;
    const table = () => (handlers ??= createIpcHandlers(roles));

    const hostPage = await openRendererPage(browser, renderer.baseUrl, 'host', table, { width: 640, height: 360 });
    const operatorPage = await openRendererPage(browser, renderer.baseUrl, 'operator', table);
    for (const p of [hostPage, operatorPage]) await p.page.addInitScript({ content: RTC_PROBE });

    const hostStates: HostState[] = [];
    let closeTimer: { fire: () => void; ms: number } | null = null;
    let windowClosed = false;
    const operatorStates: OperatorState[] = [];
    const device = opts.enrolled ? await relay.addDevice('test-desktop') : undefined;
    const hostRole = await createHostRole({
      relayUrl: relay.url,
      deviceName: 'test-desktop',
      ...(device ? { deviceToken: device.token } : {}),
      userSessions: async () => opts.userSessions ?? [],
      verification: opts.verification ?? DEFAULT_VERIFICATION,
      ...(opts.consentTimeoutMs !== undefined ? { consentTimeoutMs: opts.consentTimeoutMs } : {}),
      emit: (channel, payload) => {
        if (channel === 'host:state') hostStates.push(payload as HostState);
        hostPage.emit(channel, payload);
      },
      // The host page runs headless here, so flxra has no window of its own on this desktop.
      input: { display },
      // The window's close: the test fires the timer; closing closes the page and is recorded.
      window: {
        timer: (fire, ms) => {
          const timer = { fire, ms };
          closeTimer = timer;
          return () => {
            if (closeTimer === timer) closeTimer = null;
          };
        },
        close: () => {
          windowClosed = true;
          void hostPage.page.close().catch(() => undefined);
        },
      },
    });
    cleanups.push(() => hostRole.close());
    const host = (roles.host = hostRole.session);
    const input = hostRole.input.controller;

    // A fresh keychain profile: the operator's token saved as the app would keep it.
    const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
    if (opts.signedIn !== false) await keychain.set(operatorTokenAccount(relay.url), relay.operatorToken);
    cleanups.push(() => keychain.delete(operatorTokenAccount(relay.url)));
    cleanups.push(() => keychain.delete('trusted-relay-keys'));
    const desktop = new RigDesktop();
    const operator = (roles.operator = new OperatorController({
      defaultRelayUrl: relay.url,
      ...keychainOperatorParts(keychain),
      desktop,
      emit: (channel, payload) => {
        if (channel === 'operator:state') operatorStates.push(payload as OperatorState);
        operatorPage.emit(channel, payload);
      },
      ...(opts.operatorNow ? { now: opts.operatorNow } : {}),
      ...(opts.operatorRelayGraceMs !== undefined ? { relayGraceMs: opts.operatorRelayGraceMs } : {}),
    }));
    cleanups.push(() => operator.stop());

    await Promise.all([hostPage.load(), operatorPage.load()]);
    host.start();
    await operator.start();
    return {
      relay,
      browser,
      host: {
        session: host,
        input,
        page: hostPage.page,
        ...(device ? { deviceId: device.id } : {}),
        states: hostStates,
        closeTimer: {
          pending: () => closeTimer?.ms ?? null,
          fire: () => {
            const timer = closeTimer;
            closeTimer = null;
            timer?.fire();
          },
        },
        windowClosed: () => windowClosed,
      },
      operator: { controller: operator, page: operatorPage.page, keychain, states: operatorStates, desktop },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
