/**
 * The verification words' derivation and exchange (src/shared/sas.ts, sas-exchange.ts) under
 * plain Node, whose WebCrypto is the pages': the same words on both sides whatever the order they
 * see the certificates in, other words when one certificate differs (a relay in the middle), the
 * host's nonce bound by its commitment, and the word list exactly BIP-0039's.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  connectionId,
  deriveSasWords,
  fingerprintsFromStats,
  newSasNonce,
  type CertificateFingerprint,
  type ConnectionFingerprints,
} from '../../src/shared/sas.js';
import { SAS_WORD_LIST } from '../../src/shared/sas-words.js';
import { createSasExchange, type SasOutcome } from '../../src/shared/sas-exchange.js';
import type { SasMessage } from '../../src/shared/input-events.js';

const fingerprint = (bytes: Buffer = randomBytes(32)): CertificateFingerprint => ({
  algorithm: 'sha-256',
  value: [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':'),
});
const swap = (f: ConnectionFingerprints): ConnectionFingerprints => ({ local: f.remote, remote: f.local });

test('the word list is BIP-0039 English as published, 2048 words told apart by their first four letters', () => {
  assert.equal(SAS_WORD_LIST.length, 2048);
  const file = SAS_WORD_LIST.join('\n') + '\n';
  assert.equal(
    createHash('sha256').update(file).digest('hex'),
    '2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda',
  );
  assert.equal(new Set(SAS_WORD_LIST.map((w) => w.slice(0, 4))).size, 2048);
});

test('the words are the first 44 bits of SHA-256 over the sorted fingerprints and both nonces, 11 bits a word', async () => {
  const fingerprints = { local: fingerprint(), remote: fingerprint() };
  const hostNonce = newSasNonce();
  const operatorNonce = newSasNonce();
  // Computed here independently, with node:crypto and BigInt.
  const keys = [fingerprints.local, fingerprints.remote].map((f) => `sha-256 ${f.value}`).sort();
  const digest = createHash('sha256')
    .update(['flxra-sas-v1', keys.join(' | '), hostNonce, operatorNonce].join('\n'))
    .digest();
  const bits = BigInt(`0x${digest.subarray(0, 6).toString('hex')}`);
  const expected = [0, 1, 2, 3].map((i) => SAS_WORD_LIST[Number((bits >> BigInt(37 - 11 * i)) & 0x7ffn)]);
  assert.deepEqual(await deriveSasWords({ fingerprints, hostNonce, operatorNonce }), expected);
});

test('both sides get the same words: the order the certificates are seen in does not matter', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      async (a, b) => {
        const fingerprints = { local: fingerprint(Buffer.from(a)), remote: fingerprint(Buffer.from(b)) };
        const nonces = { hostNonce: newSasNonce(), operatorNonce: newSasNonce() };
        const host = await deriveSasWords({ fingerprints, ...nonces });
        const operator = await deriveSasWords({ fingerprints: swap(fingerprints), ...nonces });
        assert.deepEqual(host, operator);
        assert.equal(connectionId(fingerprints), connectionId(swap(fingerprints)));
      },
    ),
    { numRuns: 50 },
  );
});

test('one certificate different (one bit of it), or one nonce: other words', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 7 }),
      fc.boolean(),
      async (at, bit, which) => {
        const a = randomBytes(32);
        const b = randomBytes(32);
        const nonces = { hostNonce: newSasNonce(), operatorNonce: newSasNonce() };
        const words = await deriveSasWords({
          fingerprints: { local: fingerprint(a), remote: fingerprint(b) },
          ...nonces,
        });
        const changed = Buffer.from(which ? a : b);
        changed[at % 32]! ^= 1 << bit;
        const other = which
          ? { local: fingerprint(changed), remote: fingerprint(b) }
          : { local: fingerprint(a), remote: fingerprint(changed) };
        assert.notDeepEqual(await deriveSasWords({ fingerprints: other, ...nonces }), words);
        const otherNonce = { ...nonces, operatorNonce: newSasNonce() };
        assert.notDeepEqual(
          await deriveSasWords({ fingerprints: { local: fingerprint(a), remote: fingerprint(b) }, ...otherNonce }),
          words,
        );
      },
    ),
    { numRuns: 50 },
  );
});

test("the fingerprints come from the connected transport's local and remote certificate stats", () => {
  const local = fingerprint();
  const remote = fingerprint();
  // The shape Chromium's getStats() has, flattened as simple-peer hands it on.
  const reports = [
    { id: 'T01', type: 'transport', dtlsState: 'connected', localCertificateId: 'CFaa', remoteCertificateId: 'CFbb' },
    { id: 'CFaa', type: 'certificate', fingerprint: local.value, fingerprintAlgorithm: 'sha-256' },
    { id: 'CFbb', type: 'certificate', fingerprint: remote.value, fingerprintAlgorithm: 'sha-256' },
    { id: 'CP1', type: 'candidate-pair', state: 'succeeded' },
  ];
  assert.deepEqual(fingerprintsFromStats(reports), { local, remote });
  assert.equal(fingerprintsFromStats([{ ...reports[0], dtlsState: 'connecting' }, ...reports.slice(1)]), null);
  assert.equal(fingerprintsFromStats([reports[0], reports[1]]), null, 'no remote certificate: nothing to verify');
  const second = { ...reports[0], id: 'T02', remoteCertificateId: 'CFcc' };
  const third = { id: 'CFcc', type: 'certificate', fingerprint: fingerprint().value, fingerprintAlgorithm: 'sha-256' };
  assert.equal(fingerprintsFromStats([...reports, second, third]), null, 'transports that disagree: no words');
});

/** One side of an exchange, its outcome and what it sent. */
function side(role: 'host' | 'operator', fingerprints: ConnectionFingerprints | null) {
  let peer: (m: SasMessage) => void = () => undefined;
  let resolve: (o: SasOutcome) => void = () => undefined;
  const outcome = new Promise<SasOutcome>((r) => (resolve = r));
  const sent: SasMessage[] = [];
  const exchange = createSasExchange(role, {
    send: (m) => {
      sent.push(m);
      queueMicrotask(() => peer(m));
    },
    fingerprints: async () => fingerprints,
    done: (o) => resolve(o),
  });
  return { exchange, outcome, sent, to: (deliver: (m: SasMessage) => void) => (peer = deliver) };
}

test('the exchange: commitment, nonce, reveal, and the same words on both sides of one connection', async () => {
  const connection = { local: fingerprint(), remote: fingerprint() };
  const host = side('host', connection);
  const operator = side('operator', swap(connection));
  host.to((m) => operator.exchange.receive(m));
  operator.to((m) => host.exchange.receive(m));
  host.exchange.start();
  const [h, o] = await Promise.all([host.outcome, operator.outcome]);
  assert.ok(h.ok && o.ok);
  assert.deepEqual(h.words, o.words);
  assert.equal(h.connection, o.connection);
  assert.deepEqual(
    [...host.sent, ...operator.sent].map((m) => m.kind),
    ['sas-commit', 'sas-reveal', 'sas-nonce'],
  );
});

test('through a man in the middle forwarding every message, the two sides get different words', async () => {
  // The host and the middle's first certificate; the middle's second certificate and the operator.
  const hostSide = { local: fingerprint(), remote: fingerprint() };
  const operatorSide = { local: fingerprint(), remote: fingerprint() };
  const host = side('host', hostSide);
  const operator = side('operator', operatorSide);
  host.to((m) => operator.exchange.receive(m));
  operator.to((m) => host.exchange.receive(m));
  host.exchange.start();
  const [h, o] = await Promise.all([host.outcome, operator.outcome]);
  assert.ok(h.ok && o.ok);
  assert.notDeepEqual(h.words, o.words);
  assert.notEqual(h.connection, o.connection);
});

test('a reveal that is not what the host committed to, or messages out of turn: no words', async () => {
  const connection = { local: fingerprint(), remote: fingerprint() };
  const operator = side('operator', connection);
  operator.to(() => undefined);
  operator.exchange.receive({ kind: 'sas-commit', commitment: 'ab'.repeat(32) });
  assert.equal(operator.sent[0]?.kind, 'sas-nonce');
  operator.exchange.receive({ kind: 'sas-reveal', nonce: newSasNonce() });
  const refused = await operator.outcome;
  assert.ok(!refused.ok);
  assert.match(refused.problem, /did not match what it committed to/);

  const host = side('host', connection);
  host.exchange.receive({ kind: 'sas-nonce', nonce: newSasNonce() }); // before its own commitment
  const early = await host.outcome;
  assert.ok(!early.ok && /out of turn/.test(early.problem));
  assert.deepEqual(host.sent, [], 'the host revealed nothing');

  const unreadable = side('host', null);
  unreadable.to(
    (m) => m.kind === 'sas-commit' && unreadable.exchange.receive({ kind: 'sas-nonce', nonce: newSasNonce() }),
  );
  unreadable.exchange.start();
  const none = await unreadable.outcome;
  assert.ok(!none.ok && /certificates cannot be read/.test(none.problem));
});
