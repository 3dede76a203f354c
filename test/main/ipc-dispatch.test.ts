/** The IPC gate: only the app's own pages, each only its own role's channels, valid payloads. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIpcHandlers, dispatchIpc, IpcError } from '../../src/main/ipc/handlers.js';
import type { HostSession } from '../../src/main/host/host-session.js';
import { ACTIVATION_MAX_BYTES } from '../../src/shared/activation-file.js';

const policy = { rendererBase: 'file:///opt/flxra/resources/app.asar/out/renderer/' };
const hostPage = `${policy.rendererBase}host.html`;
const operatorPage = `${policy.rendererBase}operator.html`;

function fakeHostCalls() {
  const calls: unknown[] = [];
  // Only the methods this test reaches; the real class is exercised in host-session.test.ts.
  const host = {
    state: { status: 'ready', sessionId: '123456789' },
    answerConsent: (d: unknown) => void calls.push(['consent', d]),
    setMode: (m: unknown) => void calls.push(['mode', m]),
  } as unknown as HostSession;
  return { handlers: createIpcHandlers({ host }), calls };
}

test('the host page may call host channels with valid payloads', async () => {
  const { handlers, calls } = fakeHostCalls();
  assert.deepEqual(await dispatchIpc(handlers, policy, 'host:get-state', null, hostPage), {
    status: 'ready',
    sessionId: '123456789',
  });
  await dispatchIpc(handlers, policy, 'host:consent', { decision: 'view' }, hostPage);
  assert.deepEqual(calls, [['consent', 'view']]);
});

test('a sender outside the app is refused before any handler runs', async () => {
  const { handlers, calls } = fakeHostCalls();
  for (const url of [
    undefined,
    'https://evil.example/host.html',
    'file:///tmp/host.html',
    `${policy.rendererBase}other.html`,
  ]) {
    await assert.rejects(
      dispatchIpc(handlers, policy, 'host:consent', { decision: 'control' }, url),
      /untrusted sender/,
    );
  }
  assert.deepEqual(calls, []);
});

test("a page may not use the other role's channels", async () => {
  const { handlers, calls } = fakeHostCalls();
  await assert.rejects(
    dispatchIpc(handlers, policy, 'host:consent', { decision: 'control' }, operatorPage),
    /operator window may not use host:consent/,
  );
  assert.deepEqual(calls, []);
});

test('unknown channels and invalid payloads are refused with a clear error', async () => {
  const { handlers, calls } = fakeHostCalls();
  await assert.rejects(dispatchIpc(handlers, policy, 'host:format-disk', null, hostPage), /Unknown IPC channel/);
  await assert.rejects(dispatchIpc(handlers, policy, 'host:consent', { decision: 'always' }, hostPage), IpcError);
  await assert.rejects(
    dispatchIpc(handlers, policy, 'host:set-mode', 'control', hostPage),
    /Invalid payload for host:set-mode/,
  );
  await assert.rejects(
    dispatchIpc(handlers, policy, 'host:input', { event: { t: 'move', display: '0', x: 2, y: 0 } }, hostPage),
    /Invalid payload/,
  );
  assert.deepEqual(calls, []);
});

test('the role the app does not play answers that it is unavailable', async () => {
  const { handlers } = fakeHostCalls();
  await assert.rejects(
    dispatchIpc(handlers, policy, 'operator:get-state', null, operatorPage),
    /not running as an operator/,
  );
});

test('a dropped file crosses only as bounded base64, and the console only as a request without an address', async () => {
  const { handlers } = fakeHostCalls();
  const ok = Buffer.alloc(ACTIVATION_MAX_BYTES).toString('base64');
  // Valid payloads reach the (absent) operator role: refused for that reason, not the payload's.
  await assert.rejects(
    dispatchIpc(handlers, policy, 'operator:open-dropped', { name: 'a.flxra', base64: ok }, operatorPage),
    /not running as an operator/,
  );
  const tooLarge = Buffer.alloc(ACTIVATION_MAX_BYTES + 4).toString('base64');
  for (const payload of [
    { name: 'a.flxra', base64: tooLarge },
    { name: 'a.flxra', base64: 'not base64!' },
    { name: '', base64: ok },
    { name: 'a.flxra' },
  ]) {
    await assert.rejects(
      dispatchIpc(handlers, policy, 'operator:open-dropped', payload, operatorPage),
      /Invalid payload for operator:open-dropped/,
    );
  }
  await assert.rejects(
    dispatchIpc(handlers, policy, 'operator:open-console', { url: 'https://evil.example' }, operatorPage),
    /Invalid payload for operator:open-console/,
  );
});
