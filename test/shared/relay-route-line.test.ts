/**
 * The connection details' line both windows show for the proxy resolution's choice
 * (relayRouteLine, src/shared/proxy-choice.ts): the way, the proxy as host:port, the step that
 * chose it; and a refusal's line, which says nothing connected.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relayRefusalLine, relayRouteLine } from '../../src/shared/proxy-choice.js';

test('each kind and source of choice reads as the windows show it', () => {
  const reason = 'why';
  assert.equal(relayRouteLine({ kind: 'direct', source: 'none', reason }), 'Relay: direct');
  assert.equal(relayRouteLine({ kind: 'direct', source: 'setting', reason }), 'Relay: direct (Proxy_Url setting)');
  assert.equal(
    relayRouteLine({ kind: 'proxy', source: 'system', url: 'http://proxy.corp:3128', reason }),
    'Relay: through the proxy proxy.corp:3128 (system settings)',
  );
  assert.equal(
    relayRouteLine({ kind: 'pac', source: 'wpad', url: 'http://wpad/wpad.dat', proxy: 'http://10.0.0.8:8080', reason }),
    'Relay: through the proxy 10.0.0.8:8080 (PAC file http://wpad/wpad.dat, automatic detection)',
  );
  assert.equal(
    relayRouteLine({ kind: 'pac', source: 'system', url: 'http://corp/proxy.pac', reason }),
    'Relay: direct (PAC file http://corp/proxy.pac, system settings)',
  );
  assert.equal(
    relayRefusalLine({
      code: 'proxy-integrated-auth-only',
      message: 'The proxy asks for NTLM or Negotiate only.',
      source: 'system',
    }),
    'Relay: not connected. The proxy asks for NTLM or Negotiate only.',
  );
});
