/**
 * The host for tests and the demo, where Electron cannot run: the real HostSession with the real
 * X11 input injector and display provider, and the built host page (out/renderer/host.html) in
 * Debian's Chromium on the session's display, bridged to the handler table exactly as the
 * end-to-end tests do (dev/chromium-host/renderer-harness.ts).
 *
 * Started by the Chromium launcher (launcher.ts) as `node --import tsx dev/chromium-host/host.ts --relay
 * <url>`, with DISPLAY, FLXRA_HOST_TOKEN and FLXRA_VERIFICATION in its environment (and the
 * agent's FLXRA_PROXY_URL, its password handed over on descriptor 3: src/shared/proxy-handover.ts).
 * It runs until it is stopped (SIGTERM), or its window closes itself once nothing is shared any
 * more (window-close.ts): after its session ended or its assistance expired, or once its
 * connection is gone for good.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { launchChromium, openRendererPage, serveRenderer } from './renderer-harness.js';
import { createHostRole } from '../../src/main/host/host-role.js';
import { platformClipboard } from '../../src/platform/clipboard/clipboard.js';
import { createIpcHandlers, type IpcHandlers } from '../../src/main/ipc/handlers.js';
import { takeHostToken } from '../../src/shared/host-token-env.js';
import { takeHostTakeOver } from '../../src/shared/host-takeover-env.js';
import { readVerificationEnv } from '../../src/shared/verification-policy.js';
import { reportShownScreens } from './shown-screens.js';
import { takeProxyHandover } from '../../src/platform/proxy/handover-read.js';
import { keytarCredentialStore } from '../../src/platform/credentials/credential-store.js';
import { withoutCredentials } from '../../src/platform/proxy/proxy-choice.js';
import { startAppRoutes } from '../../src/main/relay-route.js';

const { values } = parseArgs({ options: { relay: { type: 'string' } }, strict: true });
const display = process.env.DISPLAY;
const hostToken = takeHostToken(process.env);
const takeOver = takeHostTakeOver(process.env);
if (!values.relay || !display || !hostToken) {
  console.error('chromium-host: needs --relay <url>, DISPLAY and FLXRA_HOST_TOKEN');
  process.exit(2);
}

const cleanups: Array<() => unknown> = [];
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const cleanup of cleanups.reverse())
      await Promise.resolve()
        .then(cleanup)
        .catch(() => undefined);
  }
  process.exit(code);
}
/** How long a stopped host waits for its session's end to show (the agent allows 10 s). */
const STOPPED_WAIT_MS = 1_000;
/** Set once the host exists: whether its window is showing its last screen, due to close. */
let closing = () => false;
// The agent stops the host as its assistance ends: the last screen stays until the window closes itself.
// Its session:ended may arrive a moment after the agent's stop: that moment is waited for.
process.once('SIGTERM', () => setTimeout(() => (closing() ? undefined : void shutdown(0)), STOPPED_WAIT_MS));
process.once('SIGINT', () => void shutdown(0));

try {
  // As the app's host role (src/main/index.ts): the agent's proxy password over the inherited pipe,
  // the same resolution, its refusal shown in the window; Chromium takes the same proxy and
  // answers its sign-in with the same credentials (playwright's, for the app's app.on('login')).
  const handover = await takeProxyHandover(process.env);
  const { routes, first } = await startAppRoutes({
    relayUrl: values.relay,
    env: process.env,
    credentials: keytarCredentialStore(),
    host: handover,
    log: (line) => console.log(`[host] ${line}`),
  });
  const via = first.ok ? first.connectVia : undefined;
  const renderer = await serveRenderer();
  cleanups.push(() => renderer.close());
  const browser = await launchChromium(display, {
    ...(via
      ? {
          proxy: {
            server: withoutCredentials(via),
            ...(via.username ? { username: decodeURIComponent(via.username) } : {}),
            ...(via.password ? { password: decodeURIComponent(via.password) } : {}),
          },
        }
      : {}),
  });
  cleanups.push(() => browser.close());
  // Filled once the host exists; the page only calls it after load().
  const table: { handlers?: IpcHandlers } = {};
  const page = await openRendererPage(browser, renderer.baseUrl, 'host', () => table.handlers!, {
    width: 640,
    height: 360,
  });
  await reportShownScreens(page.page, (line) => console.log(`[host] ${line}`));
  const role = await createHostRole({
    relayUrl: values.relay,
    route: first,
    reroute: () => routes.again(values.relay!),
    deviceName: os.hostname(),
    hostToken,
    ...(takeOver ? { takeOver } : {}),
    // As the agent set it, from the device's configuration.
    verification: readVerificationEnv(process.env),
    // The page is headless: flxra has no window of its own on this desktop to keep input out of.
    input: { display },
    // No Electron here: the display's own clipboard (xclip), or Windows' through PowerShell.
    ...clipboardOf(platformClipboard(display)),
    emit: (channel, payload) => page.emit(channel, payload),
    // Once nothing is shared any more the page says so, and the "window" closes itself: recorded, then the host exits.
    window: {
      close: () => {
        console.log('[host] window closed: nothing is shared any more');
        void shutdown(0);
      },
    },
    log: (message) => console.log(message),
  });
  closing = () => role.window.pending;
  cleanups.push(() => role.close());
  const host = role.session;
  table.handlers = createIpcHandlers({ host });
  await page.load();
  host.start();
  console.log(`[host] started on ${display}`);
} catch (err) {
  console.error(`chromium-host: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}

function clipboardOf<C>(clipboard: C | null): { clipboard?: C } {
  return clipboard ? { clipboard } : {};
}
