/**
 * The console's `flxra:` sign-in link as the app reads it: only a code and a relay address
 * flxra connects to; anything else is "not a flxra sign-in link". And the one console address
 * the app opens in the browser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appSignInLink, parseAppSignInLink } from '../../src/shared/app-sign-in-link.js';
import { consoleUrl } from '../../src/main/operator/operator-controller.js';

const CODE = 'abcdefghijklmnopqrstuvwx';

test('a link round-trips to the relay origin and the code, and only those', () => {
  const link = appSignInLink('https://relay.example.org/some/path', CODE);
  assert.equal(link, `flxra://sign-in?relay=https%3A%2F%2Frelay.example.org&code=${CODE}`);
  assert.deepEqual(parseAppSignInLink(link), { ok: true, relay: 'https://relay.example.org', code: CODE });
});

test('what is not a sign-in link is refused as such', () => {
  for (const text of [
    `https://sign-in?relay=https%3A%2F%2Fr.example&code=${CODE}`,
    `flxra://app/operator.html?relay=https%3A%2F%2Fr.example&code=${CODE}`,
    'flxra://sign-in?relay=https%3A%2F%2Fr.example',
    'flxra://sign-in?relay=https%3A%2F%2Fr.example&code=short',
    `flxra://sign-in?relay=http%3A%2F%2Frelay.example.org&code=${CODE}`, // plain http to another computer
    `flxra://sign-in?relay=ftp%3A%2F%2Fr.example&code=${CODE}`,
    `flxra://sign-in?relay=https%3A%2F%2Fr.example&code=${CODE}&x=${'y'.repeat(1100)}`,
  ]) {
    const parsed = parseAppSignInLink(text);
    assert.equal(parsed.ok, false, text);
    assert.match(parsed.ok ? '' : parsed.message, /^This is not a flxra sign-in link\./);
  }
});

test('the console opened is the configured relay’s, in its https form; none for an address flxra refuses', () => {
  assert.equal(consoleUrl('https://relay.example.org:8443/x'), 'https://relay.example.org:8443/console/');
  assert.equal(consoleUrl('wss://relay.example.org'), 'https://relay.example.org/console/');
  assert.equal(consoleUrl('http://127.0.0.1:7443'), 'http://127.0.0.1:7443/console/');
  assert.equal(consoleUrl('http://relay.example.org'), '');
});
