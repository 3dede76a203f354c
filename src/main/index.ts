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
  nativeImage,
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
import { takeConfiguredOperatorToken } from '../platform/credentials/credential-store.js';
import { systemCredentialStore } from '../platform/credentials/system-credential-store.js';
import { createHostRole } from './host/host-role.js';
import { pickCaptureSource } from './host/capture-source.js';
import { takeHostToken } from '../shared/host-token-env.js';
import { takeHostTakeOver } from '../shared/host-takeover-env.js';
import { readVerificationEnv } from '../shared/verification-policy.js';
import { createUserSessionReader } from '../platform/user-sessions/index.js';
import { createIpcHandlers, dispatchIpc } from './ipc/handlers.js';
import { ActivationFileInbox, SignInLinkInbox } from './activation/file-open.js';
import { APP_SIGN_IN_SCHEME } from '../shared/app-sign-in-link.js';
import { consoleUrl, OperatorController } from './operator/operator-controller.js';
import { CONTENT_SECURITY_POLICY } from '../shared/content-security-policy.js';
import { CHROMIUM_SWITCHES } from '../shared/video-quality.js';
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
import {
  createProxyLoginAnswerer,
  proxyCredentialsFirst,
  sessionProxyConfig,
} from '../platform/proxy/electron-session.js';
import { startAppRoutes, type RelayRoute, type RelayRoutes } from './relay-route.js';
import { sessionCredentialStore } from '../platform/credentials/session-credential-store.js';
import {
  choiceAnswer,
  choiceQuestion,
  portableOpening,
  prepareSessionFolders,
  startupPlan,
} from './portable/portable-start.js';
import { takeProxyHandover } from '../platform/proxy/handover-read.js';

// The operator's portable .exe (portable/portable-start.ts): everything it writes goes into its
// launch's unpacked folder, which its wrapper removes at exit; set before anything is written.
const plan = startupPlan(process.env, process.execPath);
if (plan.portable) {
  prepareSessionFolders(plan.portable);
  for (const [name, dir] of Object.entries(plan.portable.paths)) app.setPath(name, dir);
  Object.assign(process.env, plan.portable.env);
}
/** The portable .exe keeps credentials for its session only: nothing of it stays in the keychain. */
const keychain = plan.portable ? sessionCredentialStore(systemCredentialStore()) : systemCredentialStore();

const options = parseAppOptions(process.argv.slice(1), process.env);
// Taken out of the environment at once: what this app starts from now on does not inherit it.
const hostToken = takeHostToken(process.env);
// Started by the agent inside a running assistance (nobody was signed in when it began).
const hostTakeOver = takeHostTakeOver(process.env);
// FLXRA_OPERATOR_TOKEN belongs to the configured relay only: never sent to a relay a file names.
const configuredOperatorToken = takeConfiguredOperatorToken(process.env, options.relayUrl);
const activationFiles = new ActivationFileInbox();
const signInLinks = new SignInLinkInbox();
// A .flxra (or the console's sign-in link) on the command line makes this launch an operator one.
// (The portable .exe looks for its file itself, once the operator's side runs: openPortableFile.)
const openedWithFile = !plan.portable && activationFiles.fromArgv(process.argv.slice(1), process.cwd());
const openedWithLink = signInLinks.fromArgv(process.argv.slice(1));
const role = plan.forceOperator || openedWithFile || openedWithLink ? 'operator' : options.role;
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

/**
 * The way to the relay, before any page or peer exists (relay-route.ts): Chromium's session takes
 * the same choice as main's own connections, and its proxy sign-in is answered for that proxy only.
 */
async function routeToRelay(): Promise<{ routes: RelayRoutes; first: RelayRoute }> {
  // A host the agent started: the agent's proxy password, over the pipe it inherited (read and closed either way).
  const handover = await takeProxyHandover(process.env);
  const found = await startAppRoutes({
    relayUrl: options.relayUrl,
    ...(options.proxyUrl !== undefined ? { proxyUrl: options.proxyUrl } : {}),
    ...(role === 'host' ? { host: handover } : {}),
    env: process.env,
    credentials: keychain,
    log: console.log,
  });
  // A refusal leaves Chromium's own setting: nothing connects anyway, and nothing goes around the proxy.
  if (found.first.ok) await session.defaultSession.setProxy(sessionProxyConfig(found.first.choice));
  const answer = createProxyLoginAnswerer(found.first.ok ? found.first.connectVia : undefined);
  app.on('login', (event, _contents, _details, authInfo, callback) => {
    if (!authInfo.isProxy) return;
    const said = answer(authInfo);
    if (said.answer !== 'credentials') return console.log(`proxy sign-in not answered: ${said.reason}`);
    event.preventDefault();
    callback(said.username, said.password);
  });
  // Chromium gives TURN through an authenticating proxy only credentials it already holds: one request first.
  if (found.first.ok && found.first.choice.kind !== 'direct') {
    const first = await proxyCredentialsFirst((url) => session.defaultSession.fetch(url), options.relayUrl);
    if (!first.ok) console.log(`the relay through the session's proxy: ${first.reason}`);
  }
  return found;
}

async function startRole({ routes, first }: { routes: RelayRoutes; first: RelayRoute }) {
  if (role === 'host') {
    const windows = process.platform === 'win32';
    const userSessions = createUserSessionReader();
    const { session: host, window: hostWindow } = await createHostRole({
      relayUrl: options.relayUrl,
      route: first,
      // Main's own connection takes the way found again at each loss (Chromium's session keeps the first).
      reroute: () => routes.again(options.relayUrl),
      deviceName: os.hostname(),
      // Set by whoever starts the host for an enrolled device (the agent); never on a command line.
      ...(process.env.FLXRA_DEVICE_TOKEN ? { deviceToken: process.env.FLXRA_DEVICE_TOKEN } : {}),
      // Started by the device agent for one assistance.
      ...(hostToken ? { hostToken } : {}),
      ...(hostTakeOver ? { takeOver: hostTakeOver } : {}),
      // The device's own setting, from its agent (a damaged one stops the app: see below).
      verification: readVerificationEnv(process.env),
      // The device's clipboard, for the operator's copy and paste (host-assist.ts decides each transfer).
      clipboard: {
        readText: async () => clipboard.readText(),
        writeText: async (text) => clipboard.writeText(text),
        // Images as PNG, where the system's clipboard holds one (Electron converts from its own formats).
        readImage: async () => {
          const image = clipboard.readImage();
          return image.isEmpty() ? null : image.toPNG();
        },
        writeImage: async (png) => clipboard.writeImage(nativeImage.createFromBuffer(png)),
      },
      userSessions: () => userSessions.list(),
      // Files sent to the device land here unless the operator picks another folder (host-files.ts).
      downloads: app.getPath('downloads'),
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
        (sources) => {
          // One source per display where there are several: the one the operator chose (capture-source.ts).
          const pick = pickCaptureSource(sources, host.view.captureWish(), host.displays(), screen.getAllDisplays());
          host.view.capture.covers = pick?.covers ?? null;
          if (pick && pick.matched !== 'only' && pick.matched !== 'display-id')
            console.log(`screen capture: ${pick.matched} (the displays' sources are not told apart here)`);
          // System sound only where the policy allows it; Electron can loop it back on Windows only.
          const sound =
            host.audioCaptureAllowed() && process.platform === 'win32' ? { audio: 'loopback' as const } : {};
          callback(pick ? { video: pick.source, ...sound } : {});
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
  const relayConsoleUrl = consoleUrl(options.relayUrl);
  const operator = new OperatorController({
    defaultRelayUrl: options.relayUrl,
    ...keychainOperatorParts(keychain, { configured: configuredOperatorToken }),
    routes,
    desktop: {
      pickActivationFile: () => pickActivationFile(),
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
      downloadsFolder: () => app.getPath('downloads'),
    },
    emit,
    log: console.log,
  });
  return { operator };
}

/** The system's "open" dialog for .flxra files, in `startIn` where given; the path chosen, or null. */
async function pickActivationFile(startIn?: string): Promise<string | null> {
  const options = {
    title: 'Open activation file',
    properties: ['openFile' as const],
    filters: [{ name: 'flxra activation files', extensions: [ACTIVATION_EXTENSION.slice(1)] }],
    ...(startIn ? { defaultPath: startIn } : {}),
  };
  const picked = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return picked.canceled ? null : (picked.filePaths[0] ?? null);
}

/** The portable .exe's first file: the one it was started with, the one beside it, a choice, or the dialog. */
async function openPortableFile(operator: OperatorController, exeDir: string): Promise<void> {
  const opening = await portableOpening({ exeDir }, process.argv.slice(1));
  if (opening.kind === 'pick' && opening.note) console.log(opening.note);
  const question = opening.kind === 'choose' ? choiceQuestion(opening) : null;
  const next =
    opening.kind === 'choose' && question
      ? choiceAnswer(
          opening,
          (mainWindow ? await dialog.showMessageBox(mainWindow, question) : await dialog.showMessageBox(question))
            .response,
        )
      : opening;
  const file = next.kind === 'open' ? next.file : next.kind === 'pick' ? await pickActivationFile(next.dir) : null;
  if (file) await operator.openFile(file);
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
// Not by the portable .exe, which installs nothing (this is a registry key on Windows).
if (plan.registerSignInScheme) app.setAsDefaultProtocolClient(APP_SIGN_IN_SCHEME.slice(0, -1));
app.on('open-url', (event, url) => {
  event.preventDefault();
  signInLinks.fromOpenUrl(url);
});

app.enableSandbox();
// Before ready: Chromium's switches for the screen's picture (video-quality.ts; the rig's Chromium gets the same).
for (const [name, value] of CHROMIUM_SWITCHES) app.commandLine.appendSwitch(name, value);
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

    const roles = await startRole(await routeToRelay());
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
    if (plan.portable && roles.operator)
      void openPortableFile(roles.operator, plan.portable.exeDir).catch((err: unknown) =>
        console.error(`the activation file could not be opened: ${err instanceof Error ? err.message : String(err)}`),
      );
  })
  .catch((err: unknown) => {
    // Nothing is shown yet and nothing else will be: say why and leave, rather than linger.
    console.error(`flxra could not start: ${err instanceof Error ? err.message : String(err)}`);
    app.exit(1);
  });

app.on('window-all-closed', () => app.quit());
