/**
 * `proxyCredentialsFirst` (src/platform/proxy/electron-session.ts), the request the app makes to
 * the relay through its session before a peer connection, so that Chromium holds the proxy's
 * credentials for TURN (test/e2e/proxy-network.test.ts shows that this is what makes TURN through
 * an authenticating proxy work). Here against a real tinyproxy with Basic authentication and a
 * real relay, the session's fetch played by a plain HTTP request through the proxy: the relay's
 * answer is success, the proxy's 407 is not, nor is a proxy nobody answers at; it never throws.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { proxyCredentialsFirst } from '../../src/platform/proxy/electron-session.js';
import { freePort, startTinyproxy, type Tinyproxy } from '../fixtures/tinyproxy.js';

const AUTH = { user: 'helpdesk', password: 'Pr0xy-secret' };
let relay: TestRelay;
let proxy: Tinyproxy;

before(async () => {
  relay = await startTestRelay();
  proxy = await startTinyproxy({ basicAuth: AUTH });
});
after(async () => {
  await proxy?.close();
  await relay?.close();
});

/**
 * A GET through an HTTP proxy (absolute URI), with the session's credentials for it if it has
 * any: the whole request in one write, the status line read back (tinyproxy answers a 407 and
 * closes without reading the rest, which a request written in pieces can meet as a reset).
 */
function fetchVia(proxyPort: number, credentials?: { user: string; password: string }) {
  return (url: string) =>
    new Promise<{ status: number }>((resolve, reject) => {
      const auth = credentials && Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64');
      const socket = net.connect(proxyPort, '127.0.0.1', () =>
        socket.write(
          `GET ${url} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: close\r\n` +
            (auth ? `Proxy-Authorization: Basic ${auth}\r\n` : '') +
            '\r\n',
        ),
      );
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const status = /^HTTP\/1\.[01] (\d{3}) /.exec(head);
        if (status) {
          resolve({ status: Number(status[1]) });
          socket.destroy();
        }
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('closed before an answer')));
    });
}

test("the relay's answer through the proxy: the session holds what it answered the proxy with", async () => {
  const outcome = await proxyCredentialsFirst(fetchVia(proxy.port, AUTH), relay.url);
  assert.deepEqual(outcome, { ok: true, status: 200 });
});

test("the proxy's 407 (no credentials the proxy accepts): not ok, said so", async () => {
  const outcome = await proxyCredentialsFirst(fetchVia(proxy.port), relay.url);
  assert.deepEqual(outcome, {
    ok: false,
    reason: 'the proxy asked for credentials and none it accepts were given (407)',
  });
});

test('a proxy nobody answers at: not ok, with the reason, no exception', async () => {
  const outcome = await proxyCredentialsFirst(fetchVia(await freePort(), AUTH), relay.url);
  assert.equal(outcome.ok, false);
  assert.match(
    !outcome.ok ? outcome.reason : '',
    /^the relay could not be reached through the session: .*ECONNREFUSED/,
  );
});
