/**
 * The resolution's choice in an Electron session's terms (src/platform/proxy/electron-session.ts):
 * the ProxyConfig `session.setProxy` takes for each kind of choice, never with credentials, and
 * the answers to Chromium's proxy authentication: the resolution's credentials for its own proxy,
 * once, and nothing for another server, another scheme, or a second question (refused
 * credentials must not loop). Pure data: the app's wiring of it is not tested here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProxyLoginAnswerer, sessionProxyConfig } from '../../src/platform/proxy/electron-session.js';

test('each choice as a ProxyConfig: direct, a fixed proxy rule without credentials, a PAC script', () => {
  assert.deepEqual(sessionProxyConfig({ kind: 'direct', source: 'none', reason: '' }), { mode: 'direct' });
  assert.deepEqual(
    sessionProxyConfig({ kind: 'proxy', source: 'setting', url: 'http://proxy.corp:3128', reason: '' }),
    {
      mode: 'fixed_servers',
      proxyRules: 'http://proxy.corp:3128',
      proxyBypassRules: '<local>',
    },
  );
  assert.deepEqual(
    sessionProxyConfig({
      kind: 'pac',
      source: 'wpad',
      url: 'http://wpad/wpad.dat',
      proxy: 'http://p:8080',
      reason: '',
    }),
    { mode: 'pac_script', pacScript: 'http://wpad/wpad.dat' },
  );
});

test("Chromium's proxy login: the resolution's credentials for its proxy, once; nothing for anyone else", () => {
  const answer = createProxyLoginAnswerer(new URL('http://alice:s%3Acret@proxy.corp:3128'));
  const asking = { isProxy: true, scheme: 'basic', host: 'proxy.corp', port: 3128, realm: 'corp' };
  assert.deepEqual(answer({ ...asking, isProxy: false }), { answer: 'none', reason: 'not a proxy asking' });
  assert.equal(answer({ ...asking, host: 'other.corp' }).answer, 'none');
  assert.deepEqual(answer({ ...asking, scheme: 'ntlm' }), {
    answer: 'none',
    reason: "the proxy asks for ntlm sign-in; Proxy_Url's credentials are for Basic",
  });
  assert.deepEqual(answer(asking), { answer: 'credentials', username: 'alice', password: 's:cret' });
  assert.deepEqual(answer(asking), {
    answer: 'none',
    reason: 'the proxy proxy.corp:3128 refused the credentials of Proxy_Url (it asked again)',
  });
  assert.equal(createProxyLoginAnswerer(new URL('http://proxy.corp:3128'))(asking).answer, 'none');
  assert.equal(createProxyLoginAnswerer(undefined)(asking).answer, 'none');
});
