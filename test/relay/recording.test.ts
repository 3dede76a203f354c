/**
 * Session recording at a real relay, its clock moved by the test: where the policy requires it, the
 * user is told before answering and the unattended device's screen is told; chunks are taken only
 * from the admitted operator, in order, each chained into the audit trail; a recorded session whose
 * chunks stop for 30 s ends with recording-failed on both sides; chunks past retention are removed
 * and shown as "expired (audited)" while the chain stays intact; a chunk changed or removed on disk
 * is a break; after a relay restart the chain carries on where the audit trail left it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activationToken, startTestRelay, TestClock, type TestRelay } from '../../dev/rig/relay.js';
import { PolicySettingsStore } from '../../src/relay/policy/policy-settings.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import {
  RECORDING_BODY_MAX_BYTES,
  recordingPath,
  RecordingDetail,
  type RecordedInput,
} from '../../src/shared/recording.js';
import { ADMIN_PASSWORD, firstAdmin, type ConsoleClient } from '../fixtures/console.js';

const HOUR = 3_600_000;

/** A data folder whose policy records the operator role's sessions. */
async function recordingDataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-recording-'));
  const store = openSqliteStore(dir);
  try {
    new PolicySettingsStore(store).put({
      product: { ...DEFAULT_POLICY, capabilities: { recording: { operator: true, admin: true } } },
      groups: {},
    });
  } finally {
    store.close();
  }
  return dir;
}

const events: RecordedInput[] = [
  { kind: 'pointer', t: 10, type: 'down', x: 0.5, y: 0.25, button: 0 },
  { kind: 'key', t: 20, type: 'down', key: 'Enter' },
  { kind: 'typed', t: 30, count: 3 },
];

async function upload(relay: TestRelay, sessionId: string, seq: number, token = relay.operatorToken, part = 0) {
  const response = await fetch(`${relay.url}${recordingPath(sessionId)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ part, seq, video: Buffer.from(`webm bytes of chunk ${seq}`).toString('base64'), events }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('session recording', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  before(async () => {
    relay = await startTestRelay({
      dataDir: await recordingDataDir(),
      relay: { recordingRetentionMs: 24 * HOUR },
    });
    admin = await firstAdmin(relay);
  });
  after(async () => {
    await relay.close();
    await fs.rm(relay.dataDir, { recursive: true, force: true });
  });

  async function unattended() {
    const host = await relay.connectDevice();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    await host.next('assistance:prepared');
    const op = await relay.connectOperator();
    const { sessionId } = assistance;
    return { host, op, assistance, sessionId };
  }

  const detail = async (sessionId: string) => {
    // A fresh sign-in: the test's clock moves past the console session's 12 hours.
    assert.equal((await admin.login('root-admin', ADMIN_PASSWORD)).status, 200);
    const answer = await admin.call('GET', `/recordings/${sessionId}`);
    assert.equal(answer.status, 200, answer.text);
    return RecordingDetail.parse(answer.body);
  };

  it('tells the user before consent in a session joined by ID, shows a file the audit never saw, ends it when silent', async () => {
    const host = await relay.connectHost();
    const op = await relay.connectOperator();
    op.emit('session:join', { sessionId: host.sessionId });
    const request = await host.next('session:join-request');
    assert.equal(request.recorded, true);
    // Nothing is taken before the user lets the operator in.
    assert.equal((await upload(relay, host.sessionId, 0)).status, 403);
    host.emit('session:consent', { sessionId: host.sessionId, decision: 'control' });
    assert.equal((await op.next('session:admitted')).recorded, true);
    assert.equal((await upload(relay, host.sessionId, 0)).status, 201);
    const dir = path.join(relay.dataDir, 'recordings', host.sessionId);
    await fs.writeFile(path.join(dir, '7.webm'), 'slipped in');
    await fs.writeFile(path.join(dir, '7.events.json'), '[]');
    const checked = await detail(host.sessionId);
    assert.deepEqual(
      [checked.intact, checked.chunkList.map((c) => [c.seq, c.status])],
      [
        false,
        [
          [0, 'intact'],
          [7, 'unaudited'],
        ],
      ],
    );
    // A session joined by ID ends the same way when its recording stops.
    relay.clock.advance(30_000);
    await relay.handle.sweep();
    assert.deepEqual(await op.next('session:ended'), { sessionId: host.sessionId, reason: 'recording-failed' });
    assert.deepEqual(await host.next('session:ended'), { sessionId: host.sessionId, reason: 'recording-failed' });
    // The host keeps its ID: the operator may ask again, and the user is told again.
    op.emit('session:join', { sessionId: host.sessionId });
    assert.equal((await host.next('session:join-request')).recorded, true);
    relay.closeClients();
  });

  it('records an unattended assistance: the device is told, chunks chained in order, silence ends it', async () => {
    const { host, op, assistance, sessionId } = await unattended();
    assert.equal((await upload(relay, sessionId, 0)).status, 403, 'not before admission');
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    assert.equal((await op.next('session:admitted')).recorded, true);
    assert.equal((await host.next('session:unattended-start')).recorded, true);

    for (let seq = 0; seq < 3; seq++) {
      relay.clock.advance(5_000);
      const answer = await upload(relay, sessionId, seq);
      assert.deepEqual([answer.status, answer.body.next], [201, seq + 1]);
    }
    // The same chunk again (its answer lost on the way): taken as done, stored once.
    assert.deepEqual((await upload(relay, sessionId, 2)).body.next, 3);
    const skipped = await upload(relay, sessionId, 5);
    assert.deepEqual([skipped.status, (skipped.body.error as { code: string }).code], [409, 'out-of-order']);
    assert.equal((await upload(relay, sessionId, 5)).status, 409);
    const outOfOrder = relay.handle.audit
      .query({ sessionId, action: 'recording.refused' })
      .filter((e) => e.detail.code === 'out-of-order');
    assert.equal(outOfOrder.length, 1, 'refused twice, audited once');
    // Larger than any chunk: refused before it is read, saying the upload's own bound.
    const huge = await fetch(`${relay.url}${recordingPath(sessionId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relay.operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ part: 0, seq: 3, video: 'A'.repeat(RECORDING_BODY_MAX_BYTES), events: [] }),
    });
    assert.equal(huge.status, 413);
    assert.match(await huge.text(), new RegExp(`limited to ${RECORDING_BODY_MAX_BYTES} bytes`));
    const other = await relay.addOperator('Other Operator');
    assert.equal((await upload(relay, sessionId, 3, other.token)).status, 403, 'only its own operator');

    const chunks = relay.handle.audit.query({ sessionId, action: 'recording.chunk' }).reverse();
    assert.deepEqual(
      chunks.map((e) => e.detail.seq),
      [0, 1, 2],
    );
    assert.equal(new Set(chunks.map((e) => e.detail.chain)).size, 3, 'each link its own');
    const checked = await detail(sessionId);
    assert.equal(checked.intact, true);
    assert.deepEqual(
      checked.chunkList.map((c) => c.status),
      ['intact', 'intact', 'intact'],
    );
    assert.deepEqual(
      checked.timeline.map((e) => e.kind),
      ['pointer', 'key', 'typed', 'pointer', 'key', 'typed', 'pointer', 'key', 'typed'],
    );

    // 29.9 s of silence: still on. Past 30 s: ended, both sides told why, audited.
    relay.clock.advance(29_900);
    await relay.handle.sweep();
    await op.flush();
    assert.deepEqual(op.received('session:ended'), []);
    relay.clock.advance(200);
    await relay.handle.sweep();
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'recording-failed' });
    assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'recording-failed' });
    const ended = relay.handle.audit.query({ sessionId, action: 'assistance.ended' });
    assert.equal(ended[0]?.detail.reason, 'recording-failed');
    assert.equal((await upload(relay, sessionId, 3)).status, 403, 'nothing taken once over');
    relay.closeClients();
  });

  it('shows a changed, a reordered and a removed chunk as breaks, and retention as expired (audited)', async () => {
    const { op, assistance, sessionId } = await unattended();
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    await op.next('session:admitted');
    for (let seq = 0; seq < 6; seq++) {
      relay.clock.advance(5_000);
      assert.equal((await upload(relay, sessionId, seq)).status, 201);
    }
    const dir = path.join(relay.dataDir, 'recordings', sessionId);
    await fs.writeFile(path.join(dir, '1.webm'), 'changed on disk');
    // 3 and 4 swapped; 5 removed.
    await fs.rename(path.join(dir, '3.webm'), path.join(dir, 'x.webm'));
    await fs.rename(path.join(dir, '4.webm'), path.join(dir, '3.webm'));
    await fs.rename(path.join(dir, 'x.webm'), path.join(dir, '4.webm'));
    await fs.rm(path.join(dir, '5.webm'));
    const broken = await detail(sessionId);
    assert.equal(broken.intact, false);
    assert.deepEqual(
      broken.chunkList.map((c) => c.status),
      ['intact', 'changed', 'intact', 'reordered', 'reordered', 'removed'],
    );

    // Past retention: every chunk removed by the sweep, audited; shown expired, the chain intact.
    relay.clock.advance(25 * HOUR);
    await relay.handle.sweep();
    const expired = relay.handle.audit.query({ sessionId, action: 'recording.expired' });
    assert.deepEqual([expired.length, expired[0]?.detail.fromSeq, expired[0]?.detail.toSeq], [1, 0, 5]);
    await assert.rejects(fs.stat(dir), 'the folder is gone');
    const aged = await detail(sessionId);
    assert.deepEqual(new Set(aged.chunkList.map((c) => c.status)), new Set(['expired']));
    assert.equal(aged.intact, true);
    assert.equal((await admin.login('root-admin', ADMIN_PASSWORD)).status, 200);
    assert.equal((await admin.call('GET', `/recordings/${sessionId}/video`)).status, 404, 'nothing left to play');
    relay.closeClients();
  });

  it('expires only what is past retention: the newer chunks stay intact and playable', async () => {
    const { op, assistance, sessionId } = await unattended();
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    await op.next('session:admitted');
    assert.equal((await upload(relay, sessionId, 0)).status, 201);
    relay.clock.advance(20 * HOUR);
    assert.equal((await upload(relay, sessionId, 1)).status, 201);
    relay.clock.advance(5 * HOUR);
    await relay.handle.sweep(); // also ends it: silent far longer than 30 s
    const checked = await detail(sessionId);
    assert.deepEqual(
      checked.chunkList.map((c) => c.status),
      ['expired', 'intact'],
    );
    assert.equal(checked.intact, true);
    assert.deepEqual(checked.playableParts, [], 'its first chunk, with the header, is gone');
    relay.closeClients();
  });
});

describe('session recording across a relay restart', () => {
  it('carries on the chain where the trail left it, in the same part', async () => {
    const dataDir = await recordingDataDir();
    const clock = new TestClock();
    let relay = await startTestRelay({ dataDir, clock });
    try {
      const token = relay.operatorToken;
      const host = await relay.connectDevice();
      const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
      await host.next('assistance:prepared');
      const op = await relay.connectOperator();
      const { sessionId } = assistance;
      op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
      const { resumeToken } = await op.next('session:admitted');
      for (const seq of [0, 1]) assert.equal((await upload(relay, sessionId, seq)).status, 201);

      const { port } = relay;
      await relay.close();
      relay = await startTestRelay({ dataDir, clock, port });
      const back = await relay.connectOperator(token);
      back.emit('session:resume', { sessionId, resumeToken: resumeToken! });
      assert.equal((await back.next('session:admitted')).recorded, true);
      const answer = await upload(relay, sessionId, 2, token);
      assert.deepEqual([answer.status, answer.body.next], [201, 3]);
      const admin = await firstAdmin(relay);
      const checked = await admin.call('GET', `/recordings/${sessionId}`);
      const detail = RecordingDetail.parse(checked.body);
      assert.deepEqual(
        [detail.intact, detail.chunkList.map((c) => [c.part, c.status])],
        [
          true,
          [
            [0, 'intact'],
            [0, 'intact'],
            [0, 'intact'],
          ],
        ],
      );
    } finally {
      await relay.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
