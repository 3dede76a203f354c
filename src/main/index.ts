/**
 * Electron main process: the thin glue that binds the Electron-free modules (sessions, IPC
 * handlers, input injection, security policy) to Electron's windows, ipcMain and capture.
 * Everything with logic lives elsewhere and is tested under plain Node.
 */
import { app, BrowserWindow, desktopCapturer, ipcMain, screen, session, type WebContents } from 'electron';
import os from 'node:os';
import path from 'node:path';
import { invokeChannels, type DisplayInfo, type EventChannel, type EventPayloads } from '../shared/ipc.js';
import { parseAppOptions } from './app-options.js';
import { keytarCredentialStore, loadOperatorToken } from './credentials/credential-store.js';
import { HostSession } from './host/host-session.js';
import { createInputInjector } from './input/injector.js';
import { createDisplayProvider } from './platform/displays.js';
import { HostInputController } from './input/input-controller.js';
import { createIpcHandlers, dispatchIpc } from './ipc/handlers.js';
import { OperatorSession } from './operator/operator-session.js';
import { CONTENT_SECURITY_POLICY } from '../shared/content-security-policy.js';
import { secureWebPreferences } from './security/web-preferences.js';

const options = parseAppOptions(process.argv.slice(1), process.env);
const rendererDir = path.join(__dirname, '../renderer');
const rendererBase = new URL(`file://${rendererDir}/`).href;
let mainWindow: BrowserWindow | null = null;

function emit<E extends EventChannel>(channel: E, payload: EventPayloads[E]): void {
  mainWindow?.webContents.send(channel, payload);
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

async function startRole() {
  if (options.role === 'host') {
    const windows = process.platform === 'win32';
    const injector = await createInputInjector(process.platform, windows ? { toPhysical: (p) => screen.dipToScreenPoint(p) } : {});
    // On X11 the display provider speaks X pixels, the injector's coordinates; Electron's
    // screen module (DIPs) is the source on Windows, where the injector maps to physical pixels.
    const x11Displays = windows ? null : await createDisplayProvider();
    const displays = (): DisplayInfo[] =>
      x11Displays?.list() ??
      screen.getAllDisplays().map((d) => ({ id: String(d.id), ...d.bounds, primary: d.id === screen.getPrimaryDisplay().id }));
    const ownWindows = () => BrowserWindow.getAllWindows().map((w) => w.getBounds());
    const input = new HostInputController(injector, {
      displays,
      ownWindows,
      ownWindowFocused: () => BrowserWindow.getFocusedWindow() !== null,
    });
    const host = new HostSession({ relayUrl: options.relayUrl, deviceName: os.hostname(), input, displays, emit, log: console.log });
    // The renderer's getDisplayMedia is answered here, and only while the user's consent holds.
    session.defaultSession.setDisplayMediaRequestHandler(async (_request, callback) => {
      if (!host.captureAllowed()) return callback({});
      const [screenSource] = await desktopCapturer.getSources({ types: ['screen'] });
      callback(screenSource ? { video: screenSource } : {});
    });
    return { host };
  }
  const { token, reason } = await loadOperatorToken(options.relayUrl, process.env, keytarCredentialStore());
  const operator = new OperatorSession({ relayUrl: options.relayUrl, token, missingTokenReason: reason, emit, log: console.log });
  return { operator };
}

app.enableSandbox();
app.on('web-contents-created', (_event, contents) => lockDown(contents));

app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  const roles = await startRole();
  const handlers = createIpcHandlers(roles);
  for (const channel of Object.keys(invokeChannels)) {
    ipcMain.handle(channel, (event, payload) => dispatchIpc(handlers, { rendererBase }, channel, payload, event.senderFrame?.url));
  }

  const isHost = options.role === 'host';
  mainWindow = new BrowserWindow({
    width: isHost ? 420 : 1280,
    height: isHost ? 260 : 800,
    alwaysOnTop: isHost,
    title: isHost ? 'flxra — remote assistance' : 'flxra operator',
    webPreferences: secureWebPreferences(path.join(__dirname, '../preload/index.cjs')),
  });
  await mainWindow.loadFile(path.join(rendererDir, isHost ? 'host.html' : 'operator.html'));
  roles.host?.start();
  roles.operator?.start();
  mainWindow.on('closed', () => {
    roles.host?.stop();
    roles.operator?.stop();
    mainWindow = null;
  });
});

app.on('window-all-closed', () => app.quit());
