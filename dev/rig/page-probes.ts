/**
 * Test-only instrumentation injected into the pages: remembers every RTCPeerConnection so a
 * test can assert what tracks exist (none before the user allows) and that they go away, and
 * the candidates each could not gather.
 * Page-side code is kept as strings: tsx's transpiled functions do not survive serialisation.
 */
import type { Page } from 'playwright-core';
export const RTC_PROBE = `
  (() => {
    const Original = window.RTCPeerConnection;
    const seen = [];
    window.__flxraPeerConnections = seen;
    window.RTCPeerConnection = class extends Original {
      constructor(...args) {
        super(...args);
        seen.push(this);
        // What ICE could not gather (a TURN server it could not reach: 701), for the network tests.
        this.__candidateErrors = [];
        this.__states = [];
        this.addEventListener('connectionstatechange', () => this.__states.push(this.connectionState));
        this.addEventListener('icecandidateerror', (e) =>
          this.__candidateErrors.push({ url: e.url, errorCode: e.errorCode, errorText: e.errorText }));
        // Its data channels, for a test to end them as a lost network would (CLOSE_PEER_CHANNELS).
        this.__channels = [];
      }
      createDataChannel(...args) {
        const channel = super.createDataChannel(...args);
        this.__channels.push(channel);
        return channel;
      }
    };
  })();
`;

/**
 * Ends every data channel of the page's peer connections, as a lost network ends the transport under them: the
 * page's peer sees its connection close and makes a fresh one (the host page does), as after a real drop.
 */
export const CLOSE_PEER_CHANNELS = `(() => {
  let closed = 0;
  for (const pc of window.__flxraPeerConnections ?? []) for (const c of pc.__channels ?? []) {
    if (c.readyState === 'open') closed++;
    c.close();
  }
  return closed;
})()`;

/** Live media tracks in a page: sent or received over its peer connections, or shown in a <video>. */
export const LIVE_TRACKS = `(() => {
  let live = 0;
  for (const pc of window.__flxraPeerConnections ?? []) {
    if (pc.connectionState === 'closed') continue;
    for (const r of pc.getReceivers()) if (r.track && r.track.readyState === 'live' && !r.track.muted) live++;
    for (const s of pc.getSenders()) if (s.track && s.track.readyState === 'live') live++;
  }
  for (const v of document.querySelectorAll('video')) {
    for (const t of v.srcObject?.getTracks?.() ?? []) if (t.readyState === 'live') live++;
  }
  return live;
})()`;

/** The RGB of one desktop pixel as the operator's <video> shows it, or null before a frame. */
export function pixelExpression(desktopX: number, desktopY: number, desktopW: number, desktopH: number): string {
  return `(() => {
    const v = document.querySelector('video[data-testid=remote-screen]');
    if (!v || !v.videoWidth || v.readyState < 2) return null;
    const c = document.createElement('canvas');
    c.width = v.videoWidth; c.height = v.videoHeight;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(v, 0, 0);
    const x = Math.floor(${desktopX} * v.videoWidth / ${desktopW});
    const y = Math.floor(${desktopY} * v.videoHeight / ${desktopH});
    const d = g.getImageData(x, y, 1, 1).data;
    return [d[0], d[1], d[2]];
  })()`;
}

/** Client coordinates in the operator page of a desktop point, through the scaled-to-fit video. */
export function clientPointExpression(desktopX: number, desktopY: number, desktopW: number, desktopH: number): string {
  return `(() => {
    const v = document.querySelector('video[data-testid=remote-screen]');
    const r = v.getBoundingClientRect();
    const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
    const left = r.left + (r.width - v.videoWidth * s) / 2;
    const top = r.top + (r.height - v.videoHeight * s) / 2;
    return { x: left + (${desktopX} + 0.5) * v.videoWidth * s / ${desktopW}, y: top + (${desktopY} + 0.5) * v.videoHeight * s / ${desktopH} };
  })()`;
}

/**
 * Polls a page-side expression until it is truthy. Unlike page.waitForFunction, this evaluates
 * through the DevTools protocol, which the pages' strict CSP (no eval) does not block.
 */
export async function waitForExpression(page: Page, expression: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression.slice(0, 120)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An 0xRRGGBB colour as a page-side test of a pixel (within ±40 per channel: video is lossy). */
function colourTest(colour: number): string {
  const rgb = [(colour >> 16) & 255, (colour >> 8) & 255, colour & 255];
  return `((p) => p && ${JSON.stringify(rgb)}.every((v, i) => Math.abs(v - p[i]) <= 40))`;
}

/** Waits until the operator's video shows `colour` at a desktop point of a `desktop`-sized screen. */
export async function waitForColour(
  page: Page,
  at: { x: number; y: number },
  colour: number,
  desktop: { width: number; height: number },
  timeoutMs = 8_000,
): Promise<void> {
  const pixel = pixelExpression(at.x, at.y, desktop.width, desktop.height);
  await waitForExpression(page, `${colourTest(colour)}(${pixel})`, timeoutMs);
}
