/**
 * Runs the built renderer pages in Debian's Chromium, where Electron is not installed (the
 * tests, `npm run demo`, the agent's Chromium launcher), with the main-process side played by
 * the real Electron-free modules: the page's `window.flxra` is the preload's API object, and its
 * invokes go through the same `dispatchIpc` and handler table that ipcMain serves in the app.
 */
import { build } from 'esbuild';
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { EventChannel, EventPayloads } from '../../src/shared/ipc.js';
import { dispatchIpc, type IpcHandlers } from '../../src/main/ipc/handlers.js';

const RENDERER_DIR = path.resolve(import.meta.dirname, '../../out/renderer');

/** Serves the built renderer (out/renderer) the way the app loads it: same files, same CSP. */
export async function serveRenderer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  if (!existsSync(path.join(RENDERER_DIR, 'host.html'))) {
    throw new Error('out/renderer is missing: run `npm run build:renderer` first');
  }
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    const file = path.join(
      RENDERER_DIR,
      path.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)),
    );
    if (!file.startsWith(RENDERER_DIR) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
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
 */
export async function launchChromium(display?: string, opts: { home?: string } = {}): Promise<Browser> {
  const env = { ...(display ? { DISPLAY: display } : {}), ...(opts.home ? { HOME: opts.home } : {}) };
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
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
  page.on('pageerror', (err) => console.error(`[${role} page] ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[${role} console] ${msg.text()}`);
  });
  await page.exposeBinding('__flxraInvoke', (source, channel: unknown, payload: unknown) =>
    dispatchIpc(handlers(), { rendererBase: baseUrl }, channel, payload, source.frame.url()),
  );
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
