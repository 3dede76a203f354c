/**
 * The operator in the browser's recording upload at a real relay (its clock moved by the test): the
 * page has no app token, so it POSTs its chunks to the console's variant
 * (/console/api/me/recordings/:sessionId/chunks) as its console session. Taken only with the session's
 * cookie and CSRF header, only for a session the user's identity was admitted to through the browser
 * (not with the same identity's app token, not for the app's session, not by another user), chained
 * like the app's; the chunks keep the session on past 30 s, and their silence ends it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activationToken, connectClient, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { PolicySettingsStore } from '../../src/relay/policy/policy-settings.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import { BrowserOperatorTicket } from '../../src/shared/browser-operator.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { recordingPath, RecordingDetail } from '../../src/shared/recording.js';
import { ConsoleClient, firstAdmin } from '../fixtures/console.js';

/** A data folder whose policy records both roles' sessions and lets them connect from the browser. */
async function dataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-browser-recording-'));
  const store = openSqliteStore(dir);
  try {
    const both = { operator: true, admin: true };
    new PolicySettingsStore(store).put({
      product: { ...DEFAULT_POLICY, capabilities: { recording: both, 'browser-operator': both } },
      groups: {},
    });
  } finally {
    store.close();
  }
  return dir;
}

const chunk = (seq: number) => ({
  part: 0,
  seq,
  video: Buffer.from(`webm bytes of chunk ${seq}`).toString('base64'),
  events: [{ kind: 'pointer', t: 10, type: 'down', x: 0.5, y: 0.5, button: 0 }],
});

describe('recording from the operator in the browser', () => {
  let relay: TestRelay;
  let admin: Awaited<ReturnType<typeof firstAdmin>>;
  before(async () => {
    relay = await startTestRelay({ dataDir: await dataDir() });
    admin = await firstAdmin(relay);
  });
  after(async () => {
    await relay.close();
    await fs.rm(relay.dataDir, { recursive: true, force: true });
  });

  const upload = (client: ConsoleClient, sessionId: string, seq: number, opts: { csrf?: boolean } = {}) =>
    client.call('POST', `/me/recordings/${sessionId}/chunks`, chunk(seq), opts);

  /** An unattended assistance requested with `token`'s identity, opened by `op`, admitted and recorded. */
  async function opened(op: Awaited<ReturnType<typeof connectClient>>, token?: string) {
    const host = await relay.connectDevice();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' }, token);
    await host.next('assistance:prepared');
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    assert.equal((await op.next('session:admitted')).recorded, true);
    return { host, sessionId: assistance.sessionId };
  }

  it('takes the console session’s chunks for its browser session only, and they keep it on', async () => {
    const ticket = await admin.call('POST', '/me/browser-operator');
    const op = await connectClient(relay.url, {
      role: 'browser-operator',
      ticket: BrowserOperatorTicket.parse(ticket.body).ticket,
    });
    await op.next('operator:ready');
    const { host, sessionId } = await opened(op, admin.operatorToken);

    assert.equal(
      (await new ConsoleClient(relay).call('POST', `/me/recordings/${sessionId}/chunks`, chunk(0))).status,
      401,
    );
    const noCsrf = await upload(admin, sessionId, 0, { csrf: false });
    assert.deepEqual([noCsrf.status, (noCsrf.body as { error: { code: string } }).error.code], [403, 'csrf']);
    // The same identity's app token is not the browser's connection: refused.
    const app = await fetch(`${relay.url}${recordingPath(sessionId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(chunk(0)),
    });
    assert.equal(app.status, 403);
    const other = await admin.newUser('olivia', 'operator');
    assert.equal((await upload(other, sessionId, 0)).status, 403, 'another console user');

    const first = await upload(admin, sessionId, 0);
    assert.deepEqual([first.status, (first.body as { next: number }).next], [201, 1], first.text);
    // Chunks keep arriving: 40 s after admission, but 20 s after the last chunk, the session is on.
    relay.clock.advance(20_000);
    assert.equal((await upload(admin, sessionId, 1)).status, 201);
    relay.clock.advance(20_000);
    await relay.handle.sweep();
    await op.flush();
    assert.deepEqual(op.received('session:ended'), [], 'not ended while its chunks arrive');
    const rows = relay.handle.audit.query({ sessionId, action: 'recording.chunk' });
    assert.deepEqual(
      rows.map((e) => [e.detail.seq, e.actor.name]),
      [
        [1, 'Ada Admin'],
        [0, 'Ada Admin'],
      ],
    );
    const detail = RecordingDetail.parse((await admin.call('GET', `/recordings/${sessionId}`)).body);
    assert.equal(detail.intact, true);
    // Then silence: ended as the app's would be.
    relay.clock.advance(10_000);
    await relay.handle.sweep();
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'recording-failed' });
    assert.equal((await upload(admin, sessionId, 2)).status, 403, 'nothing taken once over');
    op.close();
    host.close();
  });

  it('does not take the console’s chunks for a session the same identity’s app opened', async () => {
    const op = await relay.connectOperator(admin.operatorToken);
    const { host, sessionId } = await opened(op, admin.operatorToken);
    const viaConsole = await upload(admin, sessionId, 0);
    assert.equal(viaConsole.status, 403, viaConsole.text);
    op.close();
    host.close();
  });
});
