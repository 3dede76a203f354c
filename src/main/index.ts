/**
 * Electron main process: the thin glue that binds the Electron-free modules (sessions, IPC
 * handlers, input injection, security policy) to Electron's windows, ipcMain and capture.
 * Everything with logic lives elsewhere and is tested under plain Node.
 */
import {
  app,
  BrowserWindow,
  clipboard,
  desktopCapturer,
  dialog,
  ipcMain,
  net,
  protocol,
  screen,
  session,
  shell,
  type WebContents,
} from 'electron';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { invokeChannels, type DisplayInfo, type EventChannel, type EventPayloads } from '../shared/ipc.js';
import { parseAppOptions } from './app-options.js';
import { keytarCredentialStore, takeConfiguredOperatorToken } from '../platform/credentials/credential-store.js';
import { createHostRole } from './host/host-role.js';
import { takeHostToken } from '../shared/host-token-env.js';
import { readVerificationEnv } from '../shared/verification-policy.js';
import { createUserSessionReader } from '../platform/user-sessions/index.js';
import { createIpcHandlers, dispatchIpc } from './ipc/handlers.js';
import { ActivationFileInbox, SignInLinkInbox } from './activation/file-open.js';
import { APP_SIGN_IN_SCHEME } from '../shared/app-sign-in-link.js';
import { consoleUrl, OperatorController } from './operator/operator-controller.js';
import { CONTENT_SECURITY_POLICY } from '../shared/content-security-policy.js';
import { secureWebPreferences } from './security/web-preferences.js';
import {
  APP_BASE,
  APP_SCHEME,
  appContentType,
  appFilePath,
  appPageUrl,
  isAppRequest,
} from './security/app-protocol.js';
import { permissionAllowed } from './security/permissions.js';
import type { HostSession } from './host/host-session.js';
import { keychainOperatorParts } from './operator/keychain-operator.js';
import { ACTIVATION_EXTENSION } from '../shared/activation-file.js';

const options = parseAppOptions(process.argv.slice(1), process.env);
// Taken out of the environment at once: what this app starts from now on does not inherit it.
const hostToken = takeHostToken(process.env);
// FLXRA_OPERATOR_TOKEN belongs to the configured relay only: never sent to a relay a file names.
const configuredOperatorToken = takeConfiguredOperatorToken(process.env, options.relayUrl);
const activationFiles = new ActivationFileInbox();
const signInLinks = new SignInLinkInbox();
// A .flxra (or the console's sign-in link) on the command line makes this launch an operator one.
const openedWithFile = activationFiles.fromArgv(process.argv.slice(1), process.cwd());
const openedWithLink = signInLinks.fromArgv(process.argv.slice(1));
const role = openedWithFile || openedWithLink ? 'operator' : options.role;
const rendererDir = path.join(__dirname, '../renderer');
/** The pages are served as flxra://app/… (security/app-protocol.ts), never from file://. */
const rendererBase = APP_BASE;
let mainWindow: BrowserWindow | null = null;
/** Set once the host role runs: the permission handlers ask it whether capture is allowed. */
let hostRole: HostSession | undefined;

function emit<E extends EventChannel>(channel: E, payload: EventPayloads[E]): void {
  mainWindow?.webContents.send(channel, payload);
}

/** No navigation (in any frame), no redirect, no webview, no new window: the pages stay the app's. */
function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** flxra://app/<file>: a file of the built renderer folder, with the CSP header; nothing else. */
async function serveAppFile(request: Request): Promise<Response> {
  const file = appFilePath(rendererDir, request.url);
  const missing = () => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  if (!file) return missing();
  const found = await net.fetch(pathToFileURL(file).href).catch(() => null);
  if (!found?.ok) return missing();
  return new Response(found.body, {
    headers: {
      'content-type': appContentType(file),
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    },
  });
}

/** The session's handlers: permissions, devices, what may be loaded at all, the CSP header. */
function hardenSession(): void {
  const ses = session.defaultSession;
  const context = { captureAllowed: () => hostRole?.captureAllowed() ?? false };
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(
      permissionAllowed(
        {
          permission,
          requestingUrl: details.requestingUrl,
          mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined,
        },
        context,
      ),
    ),
  );
  ses.setPermissionCheckHandler((_wc, permission, _origin, details) =>
    permissionAllowed({ permission, requestingUrl: details.requestingUrl, mediaType: details.mediaType }, context),
  );
  ses.setDevicePermissionHandler(() => false);
  // No remote content: a window loads the app's own files and nothing else.
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAppRequest(details.url) }));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
}

async function startRole() {
  if (role === 'host') {
    const windows = process.platform === 'win32';
    const userSessions = createUserSessionReader();
    const { session: host, window: hostWindow } = await createHostRole({
      relayUrl: options.relayUrl,
      deviceName: os.hostname(),
      // Set by whoever starts the host for an enrolled device (the agent); never on a command line.
      ...(process.env.FLXRA_DEVICE_TOKEN ? { deviceToken: process.env.FLXRA_DEVICE_TOKEN } : {}),
      // Started by the device agent for one assistance.
      ...(hostToken ? { hostToken } : {}),
      // The device's own setting, from its agent (a damaged one stops the app: see below).
      verification: readVerificationEnv(process.env),
      userSessions: () => userSessions.list(),
      emit,
      // Once nothing is shared any more the window says so and closes itself; closing it quits the host.
      window: { close: () => mainWindow?.close() },
      log: console.log,
      input: {
        // Windows: displays from Electron's screen (DIPs), mapped to physical pixels by the injector.
        ...(windows
          ? {
              toPhysical: (p: { x: number; y: number }) => screen.dipToScreenPoint(p),
              displays: (): DisplayInfo[] =>
                screen
                  .getAllDisplays()
                  .map((d) => ({ id: String(d.id), ...d.bounds, primary: d.id === screen.getPrimaryDisplay().id })),
            }
          : {}),
        ownWindows: () => BrowserWindow.getAllWindows().map((w) => w.getBounds()),
        ownWindowFocused: () => BrowserWindow.getFocusedWindow() !== null,
      },
    });
    // The renderer's getDisplayMedia is answered here, and only while the user's consent holds.
    session.defaultSession.setDisplayMediaRequestHandler((_request, callback) => {
      if (!host.captureAllowed()) return callback({});
      desktopCapturer.getSources({ types: ['screen'] }).then(
        ([screenSource]) => {
          // System sound only where the policy allows it; Electron can loop it back on Windows only.
          const sound =
            host.audioCaptureAllowed() && process.platform === 'win32' ? { audio: 'loopback' as const } : {};
          callback(screenSource ? { video: screenSource, ...sound } : {});
        },
        (err: unknown) => {
          console.error(`screen sources: ${err instanceof Error ? err.message : String(err)}`);
          callback({});
        },
      );
    });
    hostRole = host;
    // The agent stops the host as its assistance ends: the last screen still shows until the window closes itself.
    // (Its session:ended may arrive a moment after the agent's stop: that moment is waited for.)
    process.once('SIGTERM', () => setTimeout(() => (hostWindow.pending ? undefined : app.quit()), 1_000));
    return { host };
  }
  const keychain = keytarCredentialStore();
  const relayConsoleUrl = consoleUrl(options.relayUrl);
  const operator = new OperatorController({
    defaultRelayUrl: options.relayUrl,
    ...keychainOperatorParts(keychain, { configured: configuredOperatorToken }),
    desktop: {
      pickActivationFile: async () => {
        const options = {
          title: 'Open activation file',
          properties: ['openFile' as const],
          filters: [{ name: 'flxra activation files', extensions: [ACTIVATION_EXTENSION.slice(1)] }],
        };
        const picked = mainWindow
          ? await dialog.showOpenDialog(mainWindow, options)
          : await dialog.showOpenDialog(options);
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      },
      // The one address this app opens in the system browser: its configured relay's console.
      openExternal: async (url) => {
        if (url !== relayConsoleUrl) throw new Error('flxra opens only its relay console in the browser.');
        await shell.openExternal(url);
      },
      // A registry key's export (the tools' panel): where the operator chooses, UTF-16LE as regedit writes it.
      saveTextFile: async (suggestedName, text) => {
        const options = {
          title: 'Export registry key',
          defaultPath: suggestedName,
          filters: [{ name: 'Registry files', extensions: ['reg'] }],
        };
        const picked = mainWindow
          ? await dialog.showSaveDialog(mainWindow, options)
          : await dialog.showSaveDialog(options);
        if (picked.canceled || !picked.filePath) return null;
        await writeFile(picked.filePath, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
        return picked.filePath;
      },
      readClipboard: () => clipboard.readText(),
      writeClipboard: (text) => clipboard.writeText(text),
    },
    emit,
    log: console.log,
  });
  return { operator };
}

// One app instance: a second launch (double-clicking another .flxra) forwards its file here.
if (!app.requestSingleInstanceLock()) app.quit();
app.on('second-instance', (_event, argv, cwd) => {
  const file = activationFiles.fromArgv(argv, cwd);
  if (signInLinks.fromArgv(argv) || file) mainWindow?.focus();
});
app.on('open-file', (event, filePath) => {
  event.preventDefault();
  activationFiles.fromOpenFile(filePath);
});
// The console's "Connect the app" link (flxra://sign-in?…): the system hands it to this app.
app.setAsDefaultProtocolClient(APP_SIGN_IN_SCHEME.slice(0, -1));
app.on('open-url', (event, url) => {
  event.preventDefault();
  signInLinks.fromOpenUrl(url);
});

app.enableSandbox();
app.on('web-contents-created', (_event, contents) => lockDown(contents));
// Before ready: the pages' own scheme, standard (relative URLs, an origin for 'self') and secure.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

app
  .whenReady()
  .then(async () => {
    protocol.handle(APP_SCHEME, serveAppFile);
    hardenSession();

    const roles = await startRole();
    const handlers = createIpcHandlers(roles);
    for (const channel of Object.keys(invokeChannels)) {
      ipcMain.handle(channel, (event, payload) =>
        dispatchIpc(handlers, { rendererBase }, channel, payload, event.senderFrame?.url),
      );
    }

    const isHost = role === 'host';
    mainWindow = new BrowserWindow({
      width: isHost ? 420 : 1280,
      height: isHost ? 260 : 800,
      alwaysOnTop: isHost,
      title: isHost ? 'flxra — remote assistance' : 'flxra operator',
      webPreferences: secureWebPreferences(path.join(__dirname, '../preload/index.cjs')),
    });
    await mainWindow.loadURL(appPageUrl(isHost ? 'host' : 'operator'));
    roles.host?.start();
    if (roles.operator) {
      const operator = roles.operator;
      await operator.start();
      activationFiles.ready((filePath) => operator.openFile(filePath));
      signInLinks.ready((link) => operator.openSignInLink(link));
    }
    mainWindow.on('closed', () => {
      roles.host?.stop();
      roles.operator?.stop();
      mainWindow = null;
    });
  })
  .catch((err: unknown) => {
    // Nothing is shown yet and nothing else will be: say why and leave, rather than linger.
    console.error(`flxra could not start: ${err instanceof Error ? err.message : String(err)}`);
    app.exit(1);
  });

app.on('window-all-closed', () => app.quit());
