/**
 * Runs the built renderer pages in Debian's Chromium, where Electron is not installed (the
 * tests, `npm run demo`, the agent's Chromium launcher), with the main-process side played by
 * the real Electron-free modules: the page's `window.flxra` is the preload's API object, and its
 * invokes go through the same `dispatchIpc` and handler table that ipcMain serves in the app.
 */
import { build } from 'esbuild';
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { EventChannel, EventPayloads } from '../../src/shared/ipc.js';
import { dispatchIpc, type IpcHandlers } from '../../src/main/ipc/handlers.js';
import { CHROMIUM_SWITCHES } from '../../src/shared/video-quality.js';

const RENDERER_DIR = path.resolve(import.meta.dirname, '../../out/renderer');

/**
 * The pages' bulk invokes (file chunks: bridge-page.ts's BULK_CHANNELS), by page: a Playwright binding carries a
 * few MB/s (CDP's JSON), far below Electron's IPC, so these go as a POST to the server that serves the page (its own
 * origin: the CSP's connect-src 'self'), each page at its own unguessable path, through the same dispatchIpc.
 */
const BULK_PREFIX = '/__flxra/invoke/';
const bulkHandlers = new Map<string, (channel: unknown, payload: unknown) => Promise<unknown>>();

function serveBulk(req: http.IncomingMessage, res: http.ServerResponse): void {
  const handler = bulkHandlers.get((req.url ?? '').slice(BULK_PREFIX.length));
  if (req.method !== 'POST' || !handler) return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const answer = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? null));
    let call: { channel: unknown; payload: unknown };
    try {
      call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof call;
    } catch {
      return answer(400, { error: 'not JSON' });
    }
    handler(call.channel, call.payload).then(
      (result) => answer(200, { result }),
      (err: unknown) => answer(500, { error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

/**
 * WebSocket upgrades the renderer server hands on, by path: the bench's damage-driven capture
 * prototype feeds the host page through one (bench/video/damage/feed.ts), on the page's own
 * origin (the CSP's connect-src 'self'). Nothing registers one in the tests.
 */
export const harnessUpgrades = new Map<string, (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void>();

/** Serves the built renderer (out/renderer) the way the app loads it: same files, same CSP. */
export async function serveRenderer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  if (!existsSync(path.join(RENDERER_DIR, 'host.html'))) {
    throw new Error('out/renderer is missing: run `npm run build:renderer` first');
  }
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith(BULK_PREFIX)) return serveBulk(req, res);
    const file = path.join(
      RENDERER_DIR,
      path.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)),
    );
    if (!file.startsWith(RENDERER_DIR) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const upgrade = harnessUpgrades.get(req.url ?? '');
    if (upgrade) upgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The same files given to a page by the rig itself (playwright's routing), for a browser that
 * cannot reach the renderer server (one in a network namespace of its own: dev/rig/netns.ts), as
 * the app's pages come from its own scheme and never from the network. Nothing else is routed.
 */
export async function routeRendererFiles(page: Page, baseUrl: string): Promise<void> {
  await page.route(`${baseUrl}**`, async (route) => {
    // The bulk path is the rig server's, which this browser cannot reach: the bridge falls back to the binding.
    if (new URL(route.request().url()).pathname.startsWith(BULK_PREFIX)) return route.fulfill({ status: 404 });
    const file = path.join(RENDERER_DIR, path.normalize(decodeURIComponent(new URL(route.request().url()).pathname)));
    if (!file.startsWith(RENDERER_DIR) || !existsSync(file)) return route.fulfill({ status: 404 });
    return route.fulfill({ path: file });
  });
}

let bridgeCode: Promise<string> | null = null;
function bridgeScript(): Promise<string> {
  bridgeCode ??= build({
    entryPoints: [path.resolve(import.meta.dirname, 'bridge-page.ts')],
    bundle: true,
    format: 'iife',
    write: false,
    target: 'chrome120',
  }).then((r) => r.outputFiles[0]!.text);
  return bridgeCode;
}

/**
 * Debian's Chromium with the flags measured on this rig (shared/notes/desktop-test-rig.md), on
 * an X display when it is to capture one (the host page), else without one (the console page).
 * `home`: the HOME it runs with, e.g. one whose NSS database trusts a test CA (dev/rig/test-ca.ts).
 * With a proxy, playwright proxies loopback addresses too (`<-loopback>`), as a device's proxy takes everything.
 */
export async function launchChromium(
  display?: string,
  opts: {
    home?: string;
    /** Another way to start it (a wrapper that runs it in a network namespace: dev/rig/netns.ts). */
    executablePath?: string;
    /** Its proxy, with the credentials playwright answers its questions with (as the app's `login` handler). */
    proxy?: { server: string; username?: string; password?: string };
  } = {},
): Promise<Browser> {
  const env = { ...(display ? { DISPLAY: display } : {}), ...(opts.home ? { HOME: opts.home } : {}) };
  return chromium.launch({
    executablePath: opts.executablePath ?? '/usr/bin/chromium',
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
    headless: true,
    ...(Object.keys(env).length > 0 ? { env: { ...process.env, ...env } } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--auto-select-desktop-capture-source=Entire screen',
      // What the app sets (src/main/index.ts), so that the rig measures and tests what ships.
      ...CHROMIUM_SWITCHES.map(([name, value]) => `--${name}=${value}`),
    ],
  });
}

export interface RendererPage {
  page: Page;
  /** What main's `webContents.send` does in the app. */
  emit: <E extends EventChannel>(channel: E, payload: EventPayloads[E]) => void;
}

/**
 * Opens one role's page in a fresh browser context. Events emitted before the page is ready are
 * queued, as Electron queues them for a loading window.
 */
export async function openRendererPage(
  browser: Browser,
  baseUrl: string,
  role: 'host' | 'operator',
  handlers: () => IpcHandlers,
  viewport = { width: 1280, height: 800 },
): Promise<RendererPage & { load(): Promise<void> }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (err) =>
    console.error(`[${role} page] ${err.message}${process.env.FLXRA_PAGE_STACKS ? `\n${err.stack}` : ''}`),
  );
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[${role} console] ${msg.text()}`);
  });
  await page.exposeBinding('__flxraInvoke', (source, channel: unknown, payload: unknown) =>
    dispatchIpc(handlers(), { rendererBase: baseUrl }, channel, payload, source.frame.url()),
  );
  const bulk = randomUUID();
  bulkHandlers.set(bulk, (channel, payload) =>
    dispatchIpc(handlers(), { rendererBase: baseUrl }, channel, payload, page.mainFrame().url()),
  );
  page.on('close', () => bulkHandlers.delete(bulk));
  await page.addInitScript({ content: `window.__flxraBulk = ${JSON.stringify(BULK_PREFIX + bulk)};` });
  await page.addInitScript({ content: await bridgeScript() });
  let ready = false;
  const queue: Array<[string, unknown]> = [];
  const deliver = (channel: string, payload: unknown) =>
    page
      .evaluate(`window.__flxraDeliver(${JSON.stringify(channel)}, ${JSON.stringify(payload)})`)
      .catch(() => undefined);
  return {
    page,
    emit: (channel, payload) => {
      if (ready) void deliver(channel, payload);
      else queue.push([channel, payload]);
    },
    load: async () => {
      await page.goto(`${baseUrl}${role}.html`);
      ready = true;
      for (const [c, p] of queue.splice(0)) await deliver(c, p);
    },
  };
}
