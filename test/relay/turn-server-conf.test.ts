/**
 * The deployment's coturn configuration: `relay turn-config` writes it owner-only with the same
 * secret `relay serve` issues credentials with (and prints it nowhere), with the peer ranges
 * refused and the options that keep TURN from reaching inside; TURN over TLS with it works for
 * the relay's credentials and refuses the relay's loopback port as UDP and TCP do; settings that
 * would make a broken or unsafe file are refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { relayEvents } from '../../src/shared/protocol.js';
import { turnSecret } from '../../src/relay/turn/turn-secret.js';
import { DENIED_PEER_RANGES, turnServerConf } from '../../src/relay/turn/turnserver-conf.js';
import { createTestCa } from '../../dev/rig/test-ca.js';
import { startTestRelay } from '../../dev/rig/relay.js';
import { openTurnProbe } from '../../dev/rig/turn-probe.js';
import { startTurnServer, TURN_HOST, TURN_RELAY_IP } from '../../dev/rig/turnserver.js';

const run = promisify(execFile);

test('relay turn-config writes coturn its configuration, owner-only, with the relay secret', async (t) => {
  const data = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-turn-config-'));
  t.after(() => fs.rm(data, { recursive: true, force: true }));
  const out = path.join(data, 'turnserver.conf');
  const cli = ['--import', 'tsx', 'src/relay/cli.ts', 'turn-config', '--realm', 'relay.example.org', '--data', data];
  // The data folder's secret, whatever this shell has set.
  const { FLXRA_RELAY_TURN_SECRET: _, ...env } = process.env;
  const written = await run(process.execPath, [...cli, '--allow-peer', '198.51.100.20', '--out', out], { env });
  const text = await fs.readFile(out, 'utf8');
  const secret = turnSecret(data, undefined);
  assert.equal((await fs.stat(out)).mode & 0o777, 0o600);
  assert.ok(text.includes(`\nstatic-auth-secret=${secret}\n`), 'the secret relay serve uses');
  assert.ok(!written.stdout.includes(secret) && !written.stderr.includes(secret), 'the secret was printed');
  for (const line of ['use-auth-secret', 'no-multicast-peers', 'no-tcp-relay', 'no-cli', 'realm=relay.example.org'])
    assert.ok(text.split('\n').includes(line), `has ${line}`);
  for (const { range } of DENIED_PEER_RANGES) assert.ok(text.includes(`\ndenied-peer-ip=${range}\n`), range);
  assert.ok(text.includes('\nallowed-peer-ip=198.51.100.20\n'));
  assert.ok(!text.includes('allow-loopback-peers'), 'loopback peers stay refused by coturn itself');
  // Without --out it shows the file, the secret left out.
  const shown = await run(process.execPath, cli, { env });
  assert.ok(shown.stdout.includes('use-auth-secret') && !shown.stdout.includes(secret));
});

test('TURN over TLS: the relay credentials allocate, the relay loopback port stays out of reach', async (t) => {
  const ca = await createTestCa();
  t.after(() => ca.close());
  const turn = await startTurnServer({ tls: ca.server });
  t.after(() => turn.close());
  const turns = `turns:localhost:${turn.tlsPort}?transport=tcp`;
  const relay = await startTestRelay({ relay: { turn: { urls: [turns], secret: turn.secret } } });
  t.after(() => relay.close());
  const { op } = await relay.openSession('control');
  const { ice } = relayEvents['session:ice'].parse(await op.next('session:ice'));
  const server = ice.iceServers[0]!;
  assert.deepEqual(server.urls, [turns]);
  const client = await openTurnProbe({
    transport: 'tls',
    host: TURN_HOST,
    port: turn.tlsPort!,
    servername: 'localhost',
    ca: ca.caPem,
    username: server.username,
    password: server.credential,
  });
  try {
    const allocation = await client.allocate();
    assert.ok(allocation.ok, JSON.stringify(allocation));
    assert.equal(allocation.relayed.address, TURN_RELAY_IP);
    const denied = await client.createPermission('127.0.0.1');
    assert.equal(denied.ok ? 200 : denied.code, 403);
  } finally {
    client.close();
  }
});

test('settings that would break the file or open it up are refused', () => {
  const base = { realm: 'relay.example.org', secret: 's'.repeat(43), port: 3478 };
  assert.throws(() => turnServerConf({ ...base, realm: 'a\nallow-loopback-peers' }), /line break/);
  assert.throws(() => turnServerConf({ ...base, secret: 'short' }), /at least 32/);
  assert.throws(() => turnServerConf({ ...base, allowedPeerIps: ['10.0.0.0/8'] }), /not a peer address or range/);
  assert.throws(() => turnServerConf({ ...base, allowedPeerIps: ['10.0.0.1-::1'] }), /not a peer address or range/);
  assert.throws(() => turnServerConf({ ...base, port: 0 }), /port/);
  // A loopback range allowed on purpose (the test rig's) is the only way coturn's own loopback refusal is lifted.
  assert.ok(turnServerConf({ ...base, allowedPeerIps: ['127.0.0.2'] }).includes('\nallow-loopback-peers\n'));
});

test('over IPv6 the refusals hold too: loopback, IPv4-mapped, NAT64, unique and link-local', async (t) => {
  // 2001:db8::/32 is the documentation range: a permission sends it nothing.
  const turn = await startTurnServer({ ipv6: { allowedPeerIps: ['2001:db8::5'] } });
  t.after(() => turn.close());
  const relay = await startTestRelay({ relay: { turn: { urls: [turn.url('udp')], secret: turn.secret } } });
  t.after(() => relay.close());
  const { op } = await relay.openSession('control');
  const server = relayEvents['session:ice'].parse(await op.next('session:ice')).ice.iceServers[0]!;
  const client = await openTurnProbe({
    transport: 'udp',
    host: turn.host,
    port: turn.port,
    username: server.username,
    password: server.credential,
  });
  try {
    assert.ok((await client.allocate()).ok, 'an IPv6 relayed address');
    for (const inside of ['::1', '::ffff:127.0.0.1', '::ffff:203.0.113.7', '64:ff9b::7f00:1', 'fd12::1', 'fe80::1']) {
      const answer = await client.createPermission(inside);
      assert.equal(answer.ok ? 200 : answer.code, 403, `a permission to ${inside}`);
    }
    assert.deepEqual(await client.createPermission('2001:db8::1'), { ok: true }, 'an internet address');
  } finally {
    client.close();
  }
});
