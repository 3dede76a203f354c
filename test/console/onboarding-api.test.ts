/**
 * An administrator's first steps through the console API, against a real relay: `/` leads to the
 * console; a setup link is checked without being used up (a wrong one refused, and slowed down
 * like sign-ins, a used one told so); enrolment tokens made, listed with what is left of them,
 * used by a real enrolment and revoked (audited, never the token); a device renamed (audited, and
 * the name is what its host is known by). Re-enrolment itself is test/agent/re-enrolment.test.ts's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENROL_PATH, EnrolResponse } from '../../src/shared/agent-protocol.js';
import { ListedEnrolmentToken, NewEnrolmentTokenResponse } from '../../src/shared/console-enrolment.js';
import { ConsoleDevice } from '../../src/shared/console-api.js';
import { ConsoleClient, firstAdmin, setupToken } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

const enrol = (relay: TestRelay, enrolmentToken: string, hostname: string) =>
  fetch(`${relay.url}${ENROL_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ enrolmentToken, hostname, os: 'Linux 6.1.0 (x64)', agentVersion: '26.11' }),
  });

describe('onboarding through the console API', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  before(async () => {
    relay = await startTestRelay();
  });
  after(() => relay.close());

  it('leads / to the console', async () => {
    const answer = await fetch(`${relay.url}/`, { redirect: 'manual' });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), '/console');
  });

  it('checks a setup link without using it: wrong ones refused and slowed down, a used one told so', async () => {
    const stranger = new ConsoleClient(relay, { from: '127.0.0.7' });
    const wrong = await stranger.call('POST', '/setup/check', { setupToken: 'not-the-token' });
    assert.equal(wrong.status, 403);
    assert.deepEqual((wrong.body as { error: { code: string } }).error.code, 'invalid-setup-token');
    // Checking the right one twice leaves it good for the setup.
    const client = new ConsoleClient(relay);
    for (let i = 0; i < 2; i++) {
      const right = await client.call('POST', '/setup/check', { setupToken: setupToken(relay) });
      assert.equal(right.status, 200, right.text);
      assert.deepEqual(right.body, { valid: true });
    }
    // Wrong links from one address wait like failed sign-ins (10 free), the right one too meanwhile.
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++)
      status = (await stranger.call('POST', '/setup/check', { setupToken: `wrong-${i}` })).status;
    assert.equal(status, 429, 'throttled');
    assert.equal((await stranger.call('POST', '/setup/check', { setupToken: setupToken(relay) })).status, 429);
    assert.equal((await stranger.call('POST', '/setup', { setupToken: setupToken(relay) })).status, 400);

    const token = setupToken(relay);
    admin = await firstAdmin(relay);
    const used = await client.call('POST', '/setup/check', { setupToken: token });
    assert.equal(used.status, 410);
    assert.match(used.text, /the first administrator exists already: sign in instead/);
  });

  it('makes, lists and revokes enrolment tokens, with the commands that enrol a device; audited without the token', async () => {
    const made = await admin.call('POST', '/enrolment-tokens', { reportGroup: 'Kiosks', days: 3, uses: 2 });
    assert.equal(made.status, 201, made.text);
    const { token, commands, relayUrl, enrolmentToken } = NewEnrolmentTokenResponse.parse(made.body);
    assert.equal(relayUrl, relay.url);
    assert.equal(commands.linux, `printf %s '${token}' | npm run agent -- --relay '${relay.url}' --enroll-file -`);
    assert.equal(commands.windows, `'${token}' | node out\\agent\\cli.mjs --relay '${relay.url}' --enroll-file -`);
    assert.equal(enrolmentToken.state, 'usable');
    assert.equal(enrolmentToken.maxUses, 2);

    assert.equal((await enrol(relay, token, 'kiosk-01')).status, 201);
    const list = async () => {
      const answer = await admin.call('GET', '/enrolment-tokens');
      return ListedEnrolmentToken.array().parse((answer.body as { enrolmentTokens: unknown }).enrolmentTokens);
    };
    const [listed] = await list();
    assert.equal(listed!.id, enrolmentToken.id);
    assert.equal(listed!.uses, 1, 'one of its two enrolments used');
    assert.ok(!made.text.includes('tokenHash') && !JSON.stringify(await list()).includes(token));

    const operator = await admin.newUser('olivia', 'operator');
    assert.equal((await operator.call('GET', '/enrolment-tokens')).status, 403, 'admins only');
    assert.equal((await admin.call('POST', '/enrolment-tokens', { reportGroup: 'Kiosks', days: 400 })).status, 400);

    const revoked = await admin.call('DELETE', `/enrolment-tokens/${enrolmentToken.id}`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal((await list())[0]!.state, 'revoked');
    assert.equal((await enrol(relay, token, 'kiosk-02')).status, 403, 'a revoked token enrols nothing');
    assert.equal((await admin.call('DELETE', `/enrolment-tokens/${enrolmentToken.id}`)).status, 404);

    const rows = relay.handle.audit.query().filter((e) => e.action.startsWith('enrolment-token.'));
    assert.deepEqual(
      rows.map((e) => [e.action, e.actor.id, e.detail.id]),
      [
        ['enrolment-token.revoked', 'root-admin', enrolmentToken.id],
        ['enrolment-token.created', 'root-admin', enrolmentToken.id],
      ],
    );
    assert.ok(!JSON.stringify(relay.handle.audit.query()).includes(token), 'the token is in no audit row');
    assert.ok(!JSON.stringify(relay.logs).includes(token), 'nor in the log');
  });

  it('renames a device: its name in the list and in the registry, audited; admins only', async () => {
    const { token } = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Office' });
    const { deviceId } = EnrolResponse.parse(await (await enrol(relay, token, 'ws-17')).json());
    const renamed = await admin.call('PATCH', `/devices/${deviceId}`, { name: 'Reception desk' });
    assert.equal(renamed.status, 200, renamed.text);
    const device = ConsoleDevice.parse((renamed.body as { device: unknown }).device);
    assert.equal(device.name, 'Reception desk');
    assert.equal(device.hostname, 'ws-17', 'what its agent reports stays beside it');
    assert.equal(relay.handle.devices.list().find((d) => d.id === deviceId)?.name, 'Reception desk');
    const [row] = relay.handle.audit.query().filter((e) => e.action === 'device.renamed');
    assert.deepEqual([row?.deviceId, row?.detail], [deviceId, { from: 'ws-17', to: 'Reception desk' }]);

    assert.equal((await admin.call('PATCH', `/devices/${deviceId}`, { name: ' ' })).status, 400);
    assert.equal((await admin.call('PATCH', '/devices/000000000000', { name: 'x' })).status, 404);
    const operator = new ConsoleClient(relay);
    await operator.login('olivia', 'olivia password 123');
    assert.equal((await operator.call('PATCH', `/devices/${deviceId}`, { name: 'x' })).status, 403);
  });
});
