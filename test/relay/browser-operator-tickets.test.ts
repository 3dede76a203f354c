/**
 * The operator in the browser's sign-in on a real relay: a console session gets a one-time ticket
 * (POST /console/api/me/browser-operator, CSRF-checked), which the handshake takes once and
 * only fresh, for the user's operator identity marked `via: 'browser'`; without a console session
 * there is no ticket. Such an operator cannot join a session by its ID (assistances from the
 * console only).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient, refusal, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { BrowserOperatorTicket } from '../../src/shared/browser-operator.js';
import { OperatorIdentity } from '../../src/shared/protocol.js';
import { ConsoleClient, firstAdmin } from '../fixtures/console.js';

describe('browser operator tickets', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
  });
  after(() => relay?.close());

  const ticket = async (client: ConsoleClient) => {
    const answer = await client.call('POST', '/me/browser-operator');
    assert.equal(answer.status, 201, answer.text);
    return BrowserOperatorTicket.parse(answer.body).ticket;
  };

  it("signs in once as the console user's operator identity, marked as in the browser", async () => {
    const t = await ticket(admin);
    const op = await connectClient(relay.url, { role: 'browser-operator', ticket: t });
    const { operator } = await op.next('operator:ready');
    assert.deepEqual(OperatorIdentity.parse(operator), { ...operator, name: 'Ada Admin', via: 'browser' });
    op.close();
    const again = await refusal(relay.url, { role: 'browser-operator', ticket: t });
    assert.equal(again.code, 'unauthorized', 'a ticket works once');
  });

  it('no ticket without a console session or its CSRF token; a made-up ticket is refused', async () => {
    const anonymous = new ConsoleClient(relay);
    assert.equal((await anonymous.call('POST', '/me/browser-operator')).status, 401);
    assert.equal((await admin.call('POST', '/me/browser-operator', undefined, { csrf: false })).status, 403);
    const made = await refusal(relay.url, { role: 'browser-operator', ticket: 'x'.repeat(32) });
    assert.equal(made.code, 'unauthorized');
  });

  it('refuses a join by session ID from the browser', async () => {
    const host = await relay.connectHost('Kiosk 7');
    const op = await connectClient(relay.url, { role: 'browser-operator', ticket: await ticket(admin) });
    await op.next('operator:ready');
    op.emit('session:join', { sessionId: host.sessionId });
    const refused = await op.next('relay:error');
    assert.equal(refused.code, 'forbidden');
    assert.match(refused.message, /open an assistance from the console/);
    op.close();
    host.close();
  });
});
