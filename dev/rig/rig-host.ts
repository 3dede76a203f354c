/**
 * The end-to-end rig's host: the app's own host role (createHostRole: real HostSession, real X11
 * input injection) behind the built host page in the rig's Chromium, which captures the real
 * Xvfb screen. One place builds it for both ways a host comes to be on the rig: started with the
 * rig (session-rig.ts: no credential, or an enrolled device's token) and started by the device's
 * agent for one assistance (agent-rig.ts: the relay's one-time host token).
 *
 * Like the app, the host is an app of its own: its page is served by a handler table holding only
 * the host role, made once the role exists and before the page loads (which is when the page
 * first asks it for anything).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RelayRoute } from '../../src/main/relay-route.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { HostSession } from '../../src/main/host/host-session.js';
import { createHostRole } from '../../src/main/host/host-role.js';
import { xclipClipboard } from '../../src/platform/clipboard/clipboard.js';
import { createIpcHandlers, type IpcHandlers } from '../../src/main/ipc/handlers.js';
import type { HostInputController } from '../../src/platform/input/input-controller.js';
import type { HostState } from '../../src/shared/ipc.js';
import type { UserSession } from '../../src/shared/user-sessions.js';
import { DEFAULT_VERIFICATION, type VerificationPolicy } from '../../src/shared/verification-policy.js';
import { openRendererPage, routeRendererFiles } from '../chromium-host/renderer-harness.js';
import { RTC_PROBE } from './page-probes.js';
import type { HostTakeOver } from '../../src/shared/host-takeover-env.js';

export interface RigHost {
  session: HostSession;
  input: HostInputController;
  page: Page;
  /** The device user's Downloads folder: a fresh one per host (files sent to the device land here by default). */
  downloads: string;
  /** Every state the host window was shown, in order. */
  states: HostState[];
  /** The window's close-by-itself timer, which the test fires (window-close.ts); the delay it was set with. */
  closeTimer: { pending(): number | null; fire(): void };
  /** Whether the host window closed itself (the page is then closed, as Electron closes the window). */
  windowClosed(): boolean;
  /** Resolves once the host is closed: by close(), or, for a host that quits with its window, by the window's close. */
  closed: Promise<void>;
  /** Closes the host now: its session stops (no input after it), its input is released, its page closed. */
  close(): Promise<void>;
}

export interface RigHostOptions {
  /** The device's setting for the verification words (as its agent would pass it); not required by default. */
  verification?: VerificationPolicy;
  /** How long the consent window waits before denying by itself (60 s by default). */
  consentTimeoutMs?: number;
  /** The host's way to its relay (src/main/relay-route.ts: a proxy, say); direct by default. */
  hostRoute?: RelayRoute;
  /** The host's own browser (the rig's one by default), e.g. one on another network (dev/rig/netns.ts). */
  hostBrowser?: RigHostBrowser;
}

/** A browser of the host's own, which its caller launched and closes. */
export interface RigHostBrowser {
  browser: Browser;
  /** It cannot reach the rig's renderer server: the page's files are given to it by the rig (routeRendererFiles). */
  pagesFromRig?: boolean;
  /** The relay's address as the host role reaches it from the browser's network (dev/rig/netns-tunnel.ts). */
  relayUrl?: string;
  /** What the app's main does in the host's browser session before the host starts (the proxy's credentials first). */
  beforeStart?: (context: BrowserContext, relayUrl: string) => Promise<void>;
}

export interface RigHostSetup extends RigHostOptions {
  browser: Browser;
  /** Where the rig serves the built renderer. */
  baseUrl: string;
  /** The X display the host captures and injects into (the one the rig's Chromium runs on). */
  display: string;
  relayUrl: string;
  deviceName: string;
  /** An enrolled device's token (session-rig's `enrolled`). */
  deviceToken?: string;
  /** The relay's one-time token for the assistance its agent started it for. */
  hostToken?: string;
  /** Inside a running assistance (the agent served its logon screen): src/shared/host-takeover-env.ts. */
  takeOver?: HostTakeOver;
  /** The device's user sessions as its reader would report them (a host the agent started reports none). */
  userSessions?: UserSession[];
  /**
   * Whether the window closing itself ends the host (the app quits with its window: an agent's
   * host exits then); otherwise only the page closes and the host stays until close().
   */
  quitsWithWindow?: boolean;
}

export async function openRigHost(setup: RigHostSetup): Promise<RigHost> {
  const table: { handlers?: IpcHandlers } = {};
  const own = setup.hostBrowser;
  const hostPage = await openRendererPage(own?.browser ?? setup.browser, setup.baseUrl, 'host', () => table.handlers!, {
    width: 640,
    height: 360,
  });
  await hostPage.page.addInitScript({ content: RTC_PROBE });
  if (own?.pagesFromRig) await routeRendererFiles(hostPage.page, setup.baseUrl);
  const states: HostState[] = [];
  let closeTimer: { fire: () => void; ms: number } | null = null;
  let windowClosed = false;
  let closing: Promise<void> | null = null;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const closePage = () =>
    hostPage.page
      .context()
      .close()
      .catch(() => undefined);
  const downloads = mkdtempSync(path.join(tmpdir(), 'flxra-host-downloads-'));
  const role = await createHostRole({
    downloads,
    relayUrl: own?.relayUrl ?? setup.relayUrl,
    deviceName: setup.deviceName,
    ...(setup.deviceToken ? { deviceToken: setup.deviceToken } : {}),
    ...(setup.hostToken ? { hostToken: setup.hostToken } : {}),
    ...(setup.takeOver ? { takeOver: setup.takeOver } : {}),
    ...(setup.hostRoute ? { route: setup.hostRoute } : {}),
    ...(setup.userSessions ? { userSessions: async () => setup.userSessions ?? [] } : {}),
    verification: setup.verification ?? DEFAULT_VERIFICATION,
    ...(setup.consentTimeoutMs !== undefined ? { consentTimeoutMs: setup.consentTimeoutMs } : {}),
    emit: (channel, payload) => {
      if (channel === 'host:state') states.push(payload as HostState);
      hostPage.emit(channel, payload);
    },
    // The host page runs headless here, so flxra has no window of its own on this desktop.
    input: { display: setup.display },
    // The Xvfb's own CLIPBOARD selection, through xclip (Electron's clipboard in the app).
    clipboard: xclipClipboard(setup.display),
    // The window's close: the test fires the timer; closing closes the page (and the host, if it quits with it).
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
        if (setup.quitsWithWindow) void close();
        else void hostPage.page.close().catch(() => undefined);
      },
    },
  }).catch(async (err: unknown) => {
    await closePage();
    throw err;
  });
  const close = (): Promise<void> =>
    (closing ??= role
      .close()
      .catch(() => undefined)
      .then(closePage)
      .then(() => markClosed()));
  try {
    table.handlers = createIpcHandlers({ host: role.session });
    await own?.beforeStart?.(hostPage.page.context(), setup.relayUrl);
    await hostPage.load();
    role.session.start();
  } catch (err) {
    await close();
    throw err;
  }
  return {
    session: role.session,
    input: role.input.controller,
    page: hostPage.page,
    downloads,
    states,
    closeTimer: {
      pending: () => closeTimer?.ms ?? null,
      fire: () => {
        const timer = closeTimer;
        closeTimer = null;
        timer?.fire();
      },
    },
    windowClosed: () => windowClosed,
    closed,
    close,
  };
}
