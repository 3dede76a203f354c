/**
 * One rule for every name the relay accepts (src/shared/names.ts), the same in the schemas and in
 * the store: a name at the limit is kept whole wherever it goes (enrolment, the console, an
 * assistance's host), one character more is a 400 worded for people, never a 500; names are
 * trimmed the same way everywhere; and no string the schema accepts is refused by the store.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ENROL_PATH } from '../../src/shared/agent-protocol.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { NAME_MAX_LENGTH, parseName } from '../../src/shared/names.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import type { ConsoleDevice } from '../../src/shared/console-api.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { enrolScriptedAgent } from '../fixtures/scripted-agent.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

const LONGEST = 'h'.repeat(NAME_MAX_LENGTH);
const TOO_LONG = 'h'.repeat(NAME_MAX_LENGTH + 1);

describe('names', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
  });
  after(() => relay.close());

  async function enrol(hostname: string): Promise<{ status: number; text: string }> {
    const { token } = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Office' });
    const response = await fetch(`${relay.url}${ENROL_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrolmentToken: token, hostname, os: 'Linux 6.1', agentVersion: '26.11' }),
    });
    return { status: response.status, text: await response.text() };
  }

  async function consoleDevices(): Promise<ConsoleDevice[]> {
    return (((await admin.call('GET', '/devices')).body ?? { devices: [] }) as { devices: ConsoleDevice[] }).devices;
  }

  it('enrols a device with a 255-character host name and refuses 256 with a 400', async () => {
    const longest = await enrol(LONGEST);
    assert.equal(longest.status, 201, longest.text);
    const tooLong = await enrol(TOO_LONG);
    assert.equal(tooLong.status, 400, tooLong.text);
    assert.match(tooLong.text, /invalid enrolment request: hostname: a name has at most 255 characters/);
    for (const [hostname, why] of [
      ['   ', /a name cannot be empty or only spaces/],
      ['ws-01\nforged line', /cannot contain control characters/],
    ] as const) {
      const refused = await enrol(hostname);
      assert.equal(refused.status, 400, `${JSON.stringify(hostname)}: ${refused.text}`);
      assert.match(refused.text, why);
    }
    const padded = await enrol('  ws-padded  ');
    assert.equal(padded.status, 201, padded.text);
    const hostnames = (await consoleDevices()).map((d) => d.hostname);
    assert.ok(hostnames.includes(LONGEST), 'the console shows the whole name');
    assert.ok(hostnames.includes('ws-padded'), 'trimmed as the schema trims it');
    assert.ok(!hostnames.includes(TOO_LONG));
  });

  it('carries a 255-character host name through an assistance requested from the console', async () => {
    const hostname = `${'k'.repeat(NAME_MAX_LENGTH - 3)}-07`;
    const agent = await enrolScriptedAgent(relay, { hostname, reportGroup: 'Office' });
    try {
      const requested = await admin.call('POST', '/assistances', { deviceId: agent.deviceId, mode: 'attended' });
      assert.equal(requested.status, 201, requested.text);
      const host = await agent.nextHost();
      assert.ok(host.socket.connected, 'the host handshake takes the same name');
      // A report renaming the device past the limit is refused; the console keeps the last good name.
      await agent.report({ hostname: `${hostname}x` });
      assert.equal((await consoleDevices()).find((d) => d.deviceId === agent.deviceId)?.hostname, hostname);
    } finally {
      agent.disconnect();
    }
  });

  it('takes console user names and report groups of 255 characters and refuses 256 with a 400', async () => {
    const user = (name: string, username: string) =>
      admin.call('POST', '/users', { username, name, role: 'operator', password: 'long enough password' });
    const longest = await user(LONGEST, 'longest-name');
    assert.equal(longest.status, 201, longest.text);
    assert.equal((longest.body as { user: { name: string } }).user.name, LONGEST);
    for (const name of [TOO_LONG, ' \t ']) {
      const refused = await user(name, 'refused-name');
      assert.equal(refused.status, 400, refused.text);
    }
    const policy = (groups: Record<string, object>) =>
      admin.call('PUT', '/policy', { product: DEFAULT_POLICY, groups });
    const kept = await policy({ [`  ${LONGEST}  `]: { enabled: false } });
    assert.equal(kept.status, 200, kept.text);
    assert.deepEqual(Object.keys((kept.body as { groups: object }).groups), [LONGEST]);
    const tooLong = await policy({ [TOO_LONG]: { enabled: false } });
    assert.equal(tooLong.status, 400, tooLong.text);
    assert.match(tooLong.text, /a name has at most 255 characters/);
  });
});

describe('the store and the schema agree on names', () => {
  it('stores every name the schema accepts, as the schema gives it, and refuses others', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-names-'));
    const store = openSqliteStore(dataDir);
    try {
      const hash = { tokenMac: Buffer.alloc(32), legacyHash: null };
      let n = 0;
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 300 }), (text) => {
          const parsed = parseName(text);
          const record = { id: `dev-${n++}`, ...hash, createdAt: new Date().toISOString() };
          if (parsed.ok) store.insertDevice({ ...record, name: parsed.name });
          else assert.throws(() => store.insertDevice({ ...record, name: text }), /refusing to store an invalid/);
        }),
        { numRuns: 500 },
      );
      assert.throws(
        () => store.insertDevice({ id: 'padded', name: ' ws-01 ', ...hash, createdAt: '' }),
        /not trimmed and normalised/,
      );
    } finally {
      store.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
