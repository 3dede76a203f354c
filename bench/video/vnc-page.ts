/**
 * The bench's reference: x11vnc serving the bench's Xvfb, tuned for latency as measured on these
 * machines (`-defer 1 -wait 1 -nonap`), websockify in front of it, and Debian's noVNC (its RFB
 * module, default encodings and quality) in a page of a Chromium of its own, view only, unscaled.
 * The packages come from scripts/install-bench-deps.sh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Xvfb } from '../../dev/rig/xvfb.js';
import { CANVAS_OBSERVER } from './probes.js';

const NOVNC = '/usr/share/novnc';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilListening(port: number, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} is not listening on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
  });
}

const page = (wsPort: number) => `<!doctype html>
<html><head><meta charset="utf-8"><style>body{margin:0;background:#000}</style></head>
<body><div id="screen"></div>
<script type="module">
  import RFB from '/novnc/core/rfb.js';
  window.__connectAt = performance.timeOrigin + performance.now();
  const rfb = new RFB(document.getElementById('screen'), 'ws://127.0.0.1:${wsPort}/');
  rfb.viewOnly = true;
  rfb.scaleViewport = false;
  document.querySelector('#screen canvas').dataset.screen = '1';
  window.__rfb = rfb;
</script></body></html>`;

export interface Vnc {
  page: Page;
  /** When the page made its RFB connection (its clock). */
  connectAt: number;
  /** x11vnc's and websockify's pids: the host side's CPU. */
  serverPids: number[];
  close(): Promise<void>;
}

export async function startVnc(xvfb: Xvfb, browser: Browser, size: { width: number; height: number }): Promise<Vnc> {
  const children: ChildProcess[] = [];
  const servers: http.Server[] = [];
  const close = async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    for (const c of children.reverse()) await stop(c);
  };
  try {
    const rfbPort = await freePort();
    const vnc = spawn(
      'x11vnc',
      ['-display', xvfb.display, '-rfbport', String(rfbPort), '-localhost', '-nopw', '-forever', '-shared'].concat([
        '-defer',
        '1',
        '-wait',
        '1',
        '-nonap',
        '-quiet',
      ]),
      { stdio: 'ignore' },
    );
    children.push(vnc);
    await untilListening(rfbPort, 'x11vnc');
    const wsPort = await freePort();
    const ws = spawn('websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${rfbPort}`], { stdio: 'ignore' });
    children.push(ws);
    await untilListening(wsPort, 'websockify');

    const html = page(wsPort);
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x').pathname;
      if (url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      const file = path.join(NOVNC, path.normalize(url.replace(/^\/novnc\//, '/')));
      if (!url.startsWith('/novnc/') || !file.startsWith(NOVNC) || !existsSync(file))
        return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/javascript' });
      createReadStream(file).pipe(res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;

    const context = await browser.newContext({ viewport: size });
    const p = await context.newPage();
    p.on('pageerror', (e) => console.error(`[noVNC page] ${e.message}`));
    await p.addInitScript({ content: CANVAS_OBSERVER });
    await p.goto(`http://127.0.0.1:${port}/`);
    const connectAt = await p.evaluate<number>('window.__connectAt');
    return { page: p, connectAt, serverPids: [vnc.pid!, ws.pid!], close };
  } catch (err) {
    await close();
    throw err;
  }
}
