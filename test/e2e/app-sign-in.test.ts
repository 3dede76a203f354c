/**
 * The operator's one credential, end to end in Chromium on the Xvfb rig: the operator signs in
 * to the console page, presses "Connect the app", and the `flxra:` link it opens (handed to the
 * app as the system would) is redeemed only once the operator said yes to the app's question, and
 * signs the app in as them: the app shows the relay's key fingerprint,
 * the same as the console's, and an assistance the console issued to them opens in the app. The
 * same link again is refused as used, and a link naming another relay is refused in words,
 * without a single request reaching that relay. A link carrying another console account's code,
 * opened while the app is signed in, names the identity it would replace; Cancel leaves the app
 * as it was with the code unused, Sign in says whose the app is now.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { AppSignInOffer, appSignInLink, parseAppSignInLink } from '../../src/shared/app-sign-in-link.js';
import { AssistanceResponse } from '../../src/shared/relay-api.js';
import { operatorTokenAccount } from '../../src/platform/credentials/credential-store.js';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { waitForColour } from '../../dev/rig/page-probes.js';
import { ADMIN_PASSWORD, firstAdmin } from '../fixtures/console.js';

let xvfb: Xvfb;

before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
  setRootColour(xvfb, '#3366cc');
});
after(() => xvfb?.close());

test('"Connect the app" signs the app in with the console account; used and foreign links are refused', async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true, signedIn: false });
  t.after(() => rig.close());
  const op = rig.operator.page;
  await op.getByTestId('signed-out').waitFor();
  const admin = await firstAdmin(rig.relay);
  // Another relay, which no link may make the app sign in to.
  let reached = 0;
  const other = http.createServer((_req, res) => {
    reached += 1;
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => other.close(() => resolve())));
  const otherOrigin = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
  const foreign = `This sign-in link names the relay at ${otherOrigin}, which this app does not trust, so it was not used. Sign in from the console of your own relay (${new URL(rig.relay.url).origin}).`;
  await rig.operator.controller.openSignInLink(appSignInLink(otherOrigin, 'B'.repeat(24)));
  // Still signed out: the sign-in screen says why.
  await op.getByTestId('signed-out').getByText(foreign).waitFor();

  // The console, signed in as the operator would, in the same browser.
  const consolePage = await (await rig.browser.newContext()).newPage();
  t.after(() => consolePage.context().close());
  await consolePage.goto(`${rig.relay.url}/console/`);
  await consolePage.getByLabel('Username').fill('root-admin');
  await consolePage.getByLabel('Password').fill(ADMIN_PASSWORD);
  await consolePage.getByRole('button', { name: 'Sign in' }).click();
  await consolePage.getByRole('navigation', { name: 'Console' }).getByRole('button', { name: 'Security' }).click();
  await consolePage.getByRole('button', { name: 'Connect the app' }).click();
  const link = (await consolePage.getByTestId('sign-in-link').getAttribute('href'))!;
  const consoleFingerprint = await consolePage.getByTestId('console-relay-fingerprint').textContent();
  assert.ok(parseAppSignInLink(link).ok);

  // The system hands the link to the app, which asks before anything is redeemed.
  await rig.operator.controller.openSignInLink(link);
  const asked = op.getByTestId('confirm-sign-in');
  await asked
    .getByRole('heading', {
      name: `Sign the app in to ${new URL(rig.relay.url).origin} with the code from the console?`,
    })
    .waitFor();
  assert.equal(await asked.getByTestId('confirm-sign-in-current').count(), 0, 'signed out: nobody is replaced');
  await asked.getByRole('button', { name: 'Sign in' }).click();
  await op.getByText('Signed in as Ada Admin (Help Desk)').waitFor();
  assert.equal(
    await op.locator('[data-testid="app-relay-fingerprint"] .fingerprint').textContent(),
    consoleFingerprint,
  );
  const kept = await rig.operator.keychain.get(operatorTokenAccount(rig.relay.url));
  assert.match(kept ?? '', /^flxra_op_/, 'the token is in the keychain, for this relay');

  // An assistance the console issues to this operator opens in the app signed in so.
  const issued = await admin.call('POST', '/assistances', { deviceId: rig.host.deviceId!, mode: 'attended' });
  assert.equal(issued.status, 201, issued.text);
  const response = AssistanceResponse.parse(issued.body);
  const transfer = await op.evaluateHandle(
    ([name, content]) => {
      const data = new DataTransfer();
      data.items.add(new File([content], name));
      return data;
    },
    [response.activation.fileName, response.activation.content] as const,
  );
  await op.getByTestId('home').dispatchEvent('drop', { dataTransfer: transfer });
  await op.getByRole('button', { name: 'The fingerprints match: trust it' }).click();
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForColour(op, { x: 20, y: 20 }, 0x3366cc, { width: 1280, height: 720 }, 10_000);
  await op.getByRole('button', { name: 'Leave session' }).click();

  // The same link again: its code is used.
  await rig.operator.controller.openSignInLink(link);
  await op.getByTestId('confirm-sign-in').getByRole('button', { name: 'Sign in' }).click();
  await op
    .getByText(/^The relay at http:\/\/127\.0\.0\.1:\d+ did not sign this app in: this sign-in code is wrong, used/)
    .waitFor();

  // A link naming another relay: refused before anything is sent there.
  const code = parseAppSignInLink(link);
  assert.ok(code.ok);
  await rig.operator.controller.openSignInLink(appSignInLink(otherOrigin, code.code));
  await op.getByText(foreign).waitFor();
  assert.equal(reached, 0, 'the other relay was never asked');
});

test("a link with another account's code, opened while signed in: asked first, naming whom it replaces", async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  const op = rig.operator.page;
  const before = rig.relay.operatorIdentity;
  await op.getByText(`Signed in as ${before.name} (${before.organisation})`).waitFor();
  // Any web page may open a link carrying a code of its own console account (here: Ada Admin's).
  const admin = await firstAdmin(rig.relay);
  const offer = await admin.call('POST', '/me/app-sign-in');
  assert.equal(offer.status, 201, offer.text);
  const link = AppSignInOffer.parse(offer.body).link;
  const origin = new URL(rig.relay.url).origin;
  const ask = async () => {
    await rig.operator.controller.openSignInLink(link);
    const asked = op.getByTestId('confirm-sign-in');
    await asked.waitFor();
    assert.equal(
      await asked.getByTestId('confirm-sign-in-current').textContent(),
      `The app is signed in as ${before.name} (${before.organisation}) on ${origin} now. The code signs it in as the console account that made it instead; the app says whose that is once it is signed in.`,
    );
    return asked;
  };

  // Cancel: nothing is redeemed, the app is still the same operator, with the same token.
  const kept = await rig.operator.keychain.get(operatorTokenAccount(rig.relay.url));
  await (await ask()).getByRole('button', { name: 'Cancel' }).click();
  await op.getByText(`Signed in as ${before.name} (${before.organisation})`).waitFor();
  assert.equal(rig.operator.controller.state.status, 'idle');
  assert.equal(await rig.operator.keychain.get(operatorTokenAccount(rig.relay.url)), kept);

  // The same code still works (Cancel did not use it); Sign in says whose the app is now.
  await (await ask()).getByRole('button', { name: 'Sign in' }).click();
  await op.getByText('Signed in as Ada Admin (Help Desk)').waitFor();
  await op
    .getByText(
      `The app is now signed in to ${origin} as Ada Admin (Help Desk), no longer as ${before.name} (${before.organisation}).`,
    )
    .waitFor();
  assert.notEqual(await rig.operator.keychain.get(operatorTokenAccount(rig.relay.url)), kept);
});
