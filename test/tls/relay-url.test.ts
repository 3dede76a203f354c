/**
 * The rules behind TLS on the relay, on their own: which relay addresses the app and the agent
 * accept (https, or plain http only on this computer), how a certificate failure is put into
 * words, and what the relay warns about at start. The same rules end to end, with real
 * certificates and processes, are in relay-tls.test.ts, relay-serve-tls.test.ts and
 * chromium-tls.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkRelayUrl, relayUrlProblemMessage } from '../../src/shared/relay-url.js';
import { describeConnectionFailure, readCertificateProblem } from '../../src/shared/relay-certificate.js';
import { transportWarnings } from '../../src/relay/tls.js';
import { createTestCa } from '../../dev/rig/test-ca.js';

describe('relay addresses', () => {
  it('accepts https and wss anywhere, giving wss in its https form', () => {
    for (const [given, used] of [
      ['https://relay.example.org', 'https://relay.example.org'],
      ['https://10.0.0.5:8443/', 'https://10.0.0.5:8443/'],
      ['wss://relay.example.org:8443', 'https://relay.example.org:8443'],
      ['  https://relay.example.org  ', 'https://relay.example.org'],
    ])
      assert.deepEqual(checkRelayUrl(given!), { ok: true, url: used }, given);
  });

  it('accepts plain http and ws only for this computer: localhost, 127.0.0.0/8, ::1', () => {
    for (const [given, used] of [
      ['http://127.0.0.1:7443', 'http://127.0.0.1:7443'],
      ['http://127.45.6.7', 'http://127.45.6.7'],
      ['http://localhost:7443', 'http://localhost:7443'],
      ['http://LOCALHOST.:7443', 'http://LOCALHOST.:7443'],
      ['http://[::1]:7443', 'http://[::1]:7443'],
      ['ws://127.0.0.1:7443', 'http://127.0.0.1:7443'],
      // The URL parser's own spellings of 127.0.0.1.
      ['http://127.1:7443', 'http://127.1:7443'],
      ['http://2130706433:7443', 'http://2130706433:7443'],
    ])
      assert.deepEqual(checkRelayUrl(given!), { ok: true, url: used }, given);
  });

  it('refuses plain http and ws to any other address, saying why in words', () => {
    for (const [given, host] of [
      ['http://10.0.0.5:7443', '10.0.0.5'],
      ['ws://192.168.1.20:7443', '192.168.1.20'],
      ['http://relay.example.org', 'relay.example.org'],
      ['http://localhost.example.org', 'localhost.example.org'],
      ['http://127.0.0.1.nip.io', '127.0.0.1.nip.io'],
      ['http://0.0.0.0:7443', '0.0.0.0'],
      ['http://[::]:7443', '[::]'],
      ['http://[::ffff:127.0.0.1]:7443', '[::ffff:7f00:1]'],
    ]) {
      const checked = checkRelayUrl(given!);
      assert.ok(!checked.ok, given);
      assert.deepEqual(checked.problem, { kind: 'plain-to-remote', url: given, host }, given);
      const message = relayUrlProblemMessage(checked.problem);
      assert.ok(message.includes(given!) && message.includes('not encrypted') && message.includes('https://'), message);
    }
  });

  it('refuses what is not a relay address at all', () => {
    assert.equal(checkRelayUrl('relay.example.org').ok, false);
    for (const given of ['ftp://relay.example.org', 'file:///etc/passwd', 'javascript:alert(1)']) {
      const checked = checkRelayUrl(given);
      assert.equal(!checked.ok && checked.problem.kind, 'unsupported-scheme', given);
    }
    const notUrl = checkRelayUrl('relay.example.org');
    assert.match(!notUrl.ok ? relayUrlProblemMessage(notUrl.problem) : '', /not a relay address.*https:\/\//);
  });

  it('any IPv4 address: plain http accepted exactly when it is in 127.0.0.0/8', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, octet, fc.integer({ min: 1, max: 65_535 }), (a, b, c, d, port) => {
        const url = `http://${a}.${b}.${c}.${d}:${port}`;
        assert.equal(checkRelayUrl(url).ok, a === 127, url);
        assert.equal(checkRelayUrl(url.replace('http:', 'https:')).ok, true, url);
      }),
    );
  });
});

describe('certificate failures in words', () => {
  it("reads Node's verification codes through fetch's cause and socket.io's websocket error", () => {
    const fetchFailure = new TypeError('fetch failed', {
      cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    });
    assert.equal(
      describeConnectionFailure(fetchFailure),
      "the relay's certificate is not trusted by this computer (self-signed certificate). Its administrator needs a certificate from an authority this computer trusts, or this computer must trust their own authority.",
    );
    const nodeError = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    const socketIoFailure = Object.assign(new Error('websocket error'), {
      type: 'TransportError',
      description: { message: nodeError.message, error: nodeError },
    });
    assert.deepEqual(readCertificateProblem(socketIoFailure), { kind: 'expired' });
    for (const [code, kind] of [
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted'],
      ['CERT_NOT_YET_VALID', 'not-yet-valid'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-name'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'not-tls'],
      ['CERT_REVOKED', 'invalid'],
    ])
      assert.equal(readCertificateProblem({ cause: { code, message: code } })?.kind, kind, code);
  });

  it('leaves other failures as they are: the innermost message', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    assert.equal(readCertificateProblem(refused), null);
    assert.equal(describeConnectionFailure(refused), 'connect ECONNREFUSED 127.0.0.1:9');
  });
});

describe("the relay's warnings at start", () => {
  it('warns of plain http on a network address unless an https public URL says a TLS proxy is in front', () => {
    const now = Date.now();
    const [warning, ...more] = transportWarnings({
      host: '0.0.0.0',
      tls: undefined,
      publicUrl: 'http://0.0.0.0:7443',
      now,
    });
    assert.match(warning ?? '', /plain http on 0\.0\.0\.0.*--tls-cert.*reverse proxy.*--public-url/);
    assert.deepEqual(more, []);
    assert.deepEqual(
      transportWarnings({ host: '0.0.0.0', tls: undefined, publicUrl: 'https://relay.example.org', now }),
      [],
    );
    // `npm start`: loopback, plain http, nothing to say.
    assert.deepEqual(
      transportWarnings({ host: '127.0.0.1', tls: undefined, publicUrl: 'http://127.0.0.1:7443', now }),
      [],
    );
    assert.match(
      transportWarnings({ host: '127.0.0.1', tls: undefined, publicUrl: 'http://relay.example.org', now }).join(),
      /activation files will name http:\/\/relay\.example\.org, which apps refuse/,
    );
  });

  it("warns when the certificate does not name the public URL's host, or when no client can reach that URL", async () => {
    const ca = await createTestCa();
    try {
      const tls = await ca.tls();
      // After the certificate was made: it is valid from the second it was issued.
      const now = Date.now();
      assert.deepEqual(transportWarnings({ host: '127.0.0.1', tls, publicUrl: 'https://127.0.0.1:7443', now }), []);
      assert.deepEqual(transportWarnings({ host: '0.0.0.0', tls, publicUrl: 'https://localhost:7443', now }), []);
      assert.deepEqual(transportWarnings({ host: '0.0.0.0', tls, publicUrl: 'https://relay.example.org', now }), [
        "the TLS certificate does not name relay.example.org, the public URL's host: clients connecting there refuse it.",
      ]);
      assert.deepEqual(transportWarnings({ host: '0.0.0.0', tls, publicUrl: 'https://0.0.0.0:7443', now }), [
        'activation files will name https://0.0.0.0:7443, which no client can reach: give --public-url.',
      ]);
      const day = 24 * 60 * 60_000;
      assert.match(
        transportWarnings({ host: '127.0.0.1', tls, publicUrl: 'https://127.0.0.1', now: now + 20 * day }).join(),
        /the TLS certificate expires soon .*Renew it/,
      );
      assert.match(
        transportWarnings({ host: '127.0.0.1', tls, publicUrl: 'https://127.0.0.1', now: now + 31 * day }).join(),
        /the TLS certificate expired on .*clients refuse it/,
      );
    } finally {
      await ca.close();
    }
  });
});
