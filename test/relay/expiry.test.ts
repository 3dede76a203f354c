/**
 * When assistances end by themselves, on the relay's clock (moved by the test, never slept):
 * 15 minutes after the operator's connection ends, or after a lifetime nobody got in, and what
 * outlives a relay restart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { RELAY_KEYS_PATH, RelayKeys, type AssistanceResponse } from '../../src/shared/relay-api.js';
import {
  activationToken,
  startTestRelay,
  type DeviceHostClient,
  type OperatorClient,
  type TestRelay,
} from '../../dev/rig/relay.js';

const MINUTE = 60_000;

describe('assistance expiry', () => {
  // A relay per test: each moves the clock its own way.
  let relay: TestRelay;
  beforeEach(async () => {
    relay = await startTestRelay({ relay: { unconnectedLifetimeMs: 5 * MINUTE } });
  });
  afterEach(() => relay.close());

  /** An unattended assistance the operator is admitted to. */
  async function admitted(): Promise<{
    host: DeviceHostClient;
    op: OperatorClient;
    assistance: AssistanceResponse;
    resumeToken: string;
  }> {
    const host = await relay.connectDevice();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    const { resumeToken } = await op.next('session:admitted');
    await host.next('session:unattended-start');
    return { host, op, assistance, resumeToken: resumeToken! };
  }

  async function assertNotExpired(host: DeviceHostClient): Promise<void> {
    await relay.handle.sweep();
    await host.flush();
    assert.deepEqual(host.received('assistance:expired'), []);
  }

  it('expires 15 minutes after the operator dropped: the host stops, the token is refused', async () => {
    const { host, assistance, op, resumeToken } = await admitted();
    const { sessionId } = assistance;
    op.close();
    await host.flush();
    relay.clock.advance(15 * MINUTE - 1);
    await assertNotExpired(host);
    relay.clock.advance(1);
    await relay.handle.sweep();
    assert.deepEqual(await host.next('assistance:expired'), { sessionId });
    const back = await relay.connectOperator();
    back.emit('session:resume', { sessionId, resumeToken });
    assert.equal((await back.next('relay:error')).code, 'session-expired');
    // The session is gone: the host is in none.
    host.emit('session:end', { sessionId });
    assert.equal((await host.next('relay:error')).code, 'not-in-session');
  });

  it('expires on access too, without waiting for a sweep', async () => {
    const { host, assistance, op, resumeToken } = await admitted();
    op.close();
    await host.flush();
    relay.clock.advance(15 * MINUTE);
    const back = await relay.connectOperator();
    back.emit('session:resume', { sessionId: assistance.sessionId, resumeToken });
    assert.equal((await back.next('relay:error')).code, 'session-expired');
    assert.deepEqual(await host.next('assistance:expired'), { sessionId: assistance.sessionId });
  });

  it('counts the 15 minutes from the last connection: resuming in time cancels the expiry', async () => {
    const { host, assistance, op, resumeToken } = await admitted();
    const { sessionId } = assistance;
    op.close();
    await host.flush();
    relay.clock.advance(14 * MINUTE);
    const back = await relay.connectOperator();
    back.emit('session:resume', { sessionId, resumeToken });
    await back.next('session:admitted');
    relay.clock.advance(60 * MINUTE);
    await assertNotExpired(host);
    back.emit('session:end', { sessionId });
    await host.next('session:ended');
    relay.clock.advance(15 * MINUTE);
    await relay.handle.sweep();
    assert.deepEqual(await host.next('assistance:expired'), { sessionId });
  });

  it('expires an assistance nobody got into after its own lifetime; its file then finds it over', async () => {
    const host = await relay.connectDevice();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    relay.clock.advance(5 * MINUTE);
    await relay.handle.sweep();
    assert.deepEqual(await host.next('assistance:expired'), { sessionId: assistance.sessionId });
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    assert.equal((await op.next('relay:error')).code, 'session-expired');
  });

  it('tells an operator still waiting for consent when the assistance expires', async () => {
    const host = await relay.connectDevice();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance) });
    await op.next('session:waiting');
    relay.clock.advance(5 * MINUTE);
    await relay.handle.sweep();
    assert.deepEqual(await op.next('session:ended'), { sessionId: assistance.sessionId, reason: 'expired' });
    assert.deepEqual(await host.next('assistance:expired'), { sessionId: assistance.sessionId });
  });

  it('ends the assistance when flxra is closed on its device', async () => {
    const { host, op, assistance, resumeToken } = await admitted();
    host.close();
    assert.deepEqual(await op.next('session:ended'), { sessionId: assistance.sessionId, reason: 'host-closed' });
    op.emit('session:resume', { sessionId: assistance.sessionId, resumeToken });
    assert.equal((await op.next('relay:error')).code, 'session-expired');
  });

  it('forgets an ended assistance once its file has expired', async () => {
    const { op, host } = await admitted();
    op.close();
    await host.flush();
    relay.clock.advance(15 * MINUTE);
    await relay.handle.sweep();
    await host.next('assistance:expired');
    const db = new Database(path.join(relay.dataDir, 'relay.db'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT count(*) AS n FROM assistances').get(), { n: 0 });
    } finally {
      db.close();
    }
  });
});

describe('assistances across a relay restart', () => {
  it('keeps the signing key, used files and locks; carries on what was live, its device away until it comes back', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-restart-test-'));
    const first = await startTestRelay({ dataDir });
    const { clock, operatorToken } = first;
    let used: AssistanceResponse, locked: AssistanceResponse, live: AssistanceResponse;
    let resumeToken: string;
    let kid: string;
    try {
      kid = RelayKeys.parse(await (await fetch(`${first.url}${RELAY_KEYS_PATH}`)).json()).keys[0]!.kid;
      const host = await first.connectDevice();
      const op = await first.connectOperator();
      used = await first.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
      op.emit('assistance:open', { activation: activationToken(used), password: used.password! });
      resumeToken = (await op.next('session:admitted')).resumeToken!;
      op.emit('session:end', { sessionId: used.sessionId });
      await op.flush();

      const other = await first.connectDevice('Other device');
      locked = await first.requestAssistance({ deviceId: other.deviceId, mode: 'unattended' });
      for (let i = 0; i < 5; i++) {
        op.emit('assistance:open', { activation: activationToken(locked), password: '2222-2222-2222-2' });
        assert.equal((await op.next('relay:error')).code, i < 4 ? 'wrong-password' : 'locked');
        clock.advance(10_000);
      }
      const third = await first.connectDevice('Third device');
      live = await first.requestAssistance({ deviceId: third.deviceId, mode: 'attended' });
    } finally {
      await first.close();
    }

    const second = await startTestRelay({ dataDir, clock });
    try {
      const keys = RelayKeys.parse(await (await fetch(`${second.url}${RELAY_KEYS_PATH}`)).json());
      assert.equal(keys.keys[0]!.kid, kid, 'the same signing key');
      const op = await second.connectOperator(operatorToken);
      const answer = async (payload: Parameters<typeof op.emit<'assistance:open'>>[1]) => {
        op.emit('assistance:open', payload);
        return (await op.next('relay:error')).code;
      };
      assert.equal(await answer({ activation: activationToken(used), password: used.password! }), 'activation-used');
      assert.equal(await answer({ activation: activationToken(locked), password: locked.password! }), 'locked');
      // The attended one nobody had opened yet goes on: its file opens, and the user will be asked
      // once the device is back.
      op.emit('assistance:open', { activation: activationToken(live) });
      assert.equal((await op.next('session:waiting')).sessionId, live.sessionId);
      // The one its operator ended on purpose cannot be resumed into.
      op.emit('session:resume', { sessionId: used.sessionId, resumeToken });
      assert.equal((await op.next('relay:error')).code, 'session-expired');
    } finally {
      await second.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
