/**
 * The chat between operator and user, end to end on the Xvfb rig (real relay, real host and operator main-process
 * modules, both windows in Chromium): nothing before the user lets the operator in; then messages both ways, each
 * shown on both sides with an unread mark on the closed side, each in the relay's audit trail with its text; the
 * policy switching chat off tells both windows why, and a message sent anyway is refused by the relay and audited.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinById } from '../../dev/rig/join-by-id.js';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { eventually, until } from '../../dev/rig/until.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { firstAdmin } from '../fixtures/console.js';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
});
after(() => xvfb?.close());

/** The operator's chat button, in the viewer's toolbar (its name carries the unread mark). */
const chatButton = (page: Page) => page.getByTestId('viewer-toolbar').getByRole('button', { name: /^Chat/ });

async function write(page: Page, text: string) {
  const panel = page.getByTestId('chat-panel');
  await panel.getByLabel('Message').fill(text);
  await panel.getByRole('button', { name: 'Send' }).click();
}

const shown = (page: Page) =>
  page
    .getByTestId('chat-messages')
    .locator('li p')
    .allTextContents()
    .catch(() => [] as string[]);

test('chat: inactive before consent, both ways with unread marks, audited, refused when the policy forbids it', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator, relay } = rig;
  const sessionId = await joinById(rig);
  const trail = (action: string) => relay.handle.audit.query({ sessionId }).filter((e) => e.action === action);

  // Before the user answered: no chat in either window, and main sends nothing.
  await host.page.getByTestId('consent').waitFor();
  assert.equal(await host.page.getByTestId('host-assist').count(), 0);
  assert.equal(await chatButton(operator.page).count(), 0);
  const early = host.session.assist.sendChat('hello before consent');
  assert.equal(early.sent, false);
  // Sent past main anyway, the relay refuses it: not active yet.
  const socket = (host.session as unknown as { socket: { emit(e: string, p: unknown): void } }).socket;
  socket.emit('chat:send', { sessionId, text: 'hello past main' });
  await until('the relay refused it', () => trail('chat.refused').some((e) => e.detail.code === 'not-active'));
  assert.deepEqual(trail('chat.message'), [], 'nothing delivered before consent');

  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await chatButton(operator.page).waitFor({ timeout: 10_000 });
  await host.page.getByTestId('host-assist').waitFor();

  // Operator → user: the user's closed chat gets an unread mark, and the message once opened.
  await chatButton(operator.page).click();
  assert.equal(await chatButton(operator.page).getAttribute('aria-pressed'), 'true');
  await operator.page.getByTestId('panel-chat').getByTestId('chat-panel').waitFor();
  await write(operator.page, 'May I restart your computer?');
  await eventually('the operator sees their message', async () =>
    (await shown(operator.page)).includes('May I restart your computer?'),
  );
  await eventually(
    'the user has one unread',
    async () =>
      (await host.page
        .getByTestId('chat-unread')
        .textContent()
        .catch(() => null)) === '1',
  );
  await host.page.getByTestId('chat-button').click();
  await eventually('the user reads it', async () => (await shown(host.page)).includes('May I restart your computer?'));
  assert.equal(await host.page.getByTestId('chat-unread').count(), 0, 'read once shown');
  const fromOperator = host.page.locator('[data-testid="chat-messages"] li[data-from="operator"] strong');
  assert.equal(await fromOperator.first().textContent(), relay.operatorIdentity.name);

  // User → operator, with characters beyond ASCII; the operator's closed chat is marked.
  await chatButton(operator.page).click();
  await write(host.page, 'Yes — go ahead ✓');
  await eventually(
    'the operator has one unread',
    async () =>
      (await operator.page
        .getByTestId('chat-unread')
        .textContent()
        .catch(() => null)) === '1',
  );
  assert.equal(await operator.page.getByTestId('chat-panel').count(), 0, 'closed');
  await chatButton(operator.page).click();
  await eventually('the operator reads it', async () => (await shown(operator.page)).includes('Yes — go ahead ✓'));
  assert.equal(await operator.page.getByTestId('chat-unread').count(), 0, 'read once shown');

  // Both in the audit trail, in order, with who wrote them.
  await until('both audited', () => trail('chat.message').length === 2);
  assert.equal(trail('chat.refused').length, 1, 'only the one before consent');
  const [first, second] = trail('chat.message').sort((a, b) => a.id - b.id);
  assert.deepEqual(
    [first!.detail, first!.actor.kind, second!.detail, second!.actor.kind],
    [
      { from: 'operator', text: 'May I restart your computer?' },
      'operator',
      { from: 'user', text: 'Yes — go ahead ✓' },
      'user',
    ],
  );

  // Too long: refused with a sentence, nothing sent.
  const long = host.session.assist.sendChat('x'.repeat(2001));
  assert.deepEqual(long, { sent: false, message: 'a message has at most 2000 characters' });

  // A burst beyond the relay's rate (10 per 10 s per sender): the rest is refused there, and audited as such.
  for (let i = 1; i <= 12; i++) assert.equal(host.session.assist.sendChat(`burst ${i}`).sent, true);
  await until('the burst refused beyond the rate', () =>
    trail('chat.refused').some((e) => e.detail.code === 'rate-limited'),
  );
  await eventually('the user is told', async () =>
    /Too many messages/.test(
      (await host.page
        .getByTestId('chat-problem')
        .textContent()
        .catch(() => '')) ?? '',
    ),
  );
  const fromUser = trail('chat.message').filter((e) => e.detail.from === 'user').length;
  assert.equal(fromUser, 10, 'one earlier message and nine of the burst delivered');

  // The policy switches chat off for the operator role: both windows say why, and the input is disabled.
  const admin = await firstAdmin(relay);
  const chatOff = {
    ...DEFAULT_POLICY,
    capabilities: { ...DEFAULT_POLICY.capabilities, chat: { operator: false } },
  };
  assert.equal((await admin.call('PUT', '/policy', { product: chatOff, groups: {} })).status, 200);
  for (const page of [operator.page, host.page]) {
    const refused = page.getByTestId('chat-refused');
    await refused.waitFor({ timeout: 5_000 });
    assert.match((await refused.textContent()) ?? '', /Chat is not allowed for the operator role/);
    assert.equal(await page.getByTestId('chat-panel').getByLabel('Message').isDisabled(), true);
  }
  // Main refuses too; and a message that reaches the relay anyway is refused there, audited as such.
  assert.equal(operator.controller.assist.send('still there?').sent, false);
  socket.emit('chat:send', { sessionId, text: 'sent past the window' });
  const notPermitted = () => trail('chat.refused').filter((e) => e.detail.code === 'not-permitted');
  await until('the relay refused it', () => notPermitted().length === 1);
  assert.equal(trail('chat.message').length, 11, 'the refused message is not delivered');
  assert.equal((await shown(operator.page)).includes('sent past the window'), false);
  // The operator's chat, open when it was switched off, said why; once closed, its button is gone.
  await chatButton(operator.page).click();
  assert.equal(await operator.page.getByTestId('chat-panel').count(), 0);
  assert.equal(await chatButton(operator.page).count(), 0, 'no chat button while the policy forbids it');
});
