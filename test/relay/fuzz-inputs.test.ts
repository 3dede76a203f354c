/**
 * Property-based fuzzing (fast-check) of the relay's HTTP bodies and of `.flxra` activation
 * files, against a real relay on loopback: any method, content type, credential and body on
 * every API route (the operators' API and the console's route table), and activation files
 * mutated byte by byte, field by field or re-signed with another payload, read by the
 * operator's verifier and opened on the relay. Nothing may crash or answer 500; every refusal
 * is the ApiError JSON or a relay:error; no mutated file yields claims it was not signed with.
 * Seed and time: test/fixtures/fuzz.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ENROL_PATH } from '../../src/shared/agent-protocol.js';
import { activationFileContent, parseActivationEnvelope } from '../../src/shared/activation-file.js';
import { CONSOLE_API, CONSOLE_ROUTES } from '../../src/shared/console-api.js';
import {
  API_PREFIX,
  ApiError,
  RELAY_KEYS_PATH,
  RelayKeys,
  type AssistanceResponse,
} from '../../src/shared/relay-api.js';
import { verifyActivation, type TrustedKeyLookup } from '../../src/main/activation/verify-activation.js';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { nestedArrays } from '../fixtures/abuse.js';
import { fuzz, json, objectOf, text, watchUnhandled } from '../fixtures/fuzz.js';

interface Route {
  method: string;
  path: string;
}

/** Every API route of the relay; logging out would end the fuzzer's own console session. */
const ROUTES: Route[] = [
  { method: 'POST', path: `${API_PREFIX}/assistances` },
  { method: 'POST', path: ENROL_PATH },
  { method: 'GET', path: RELAY_KEYS_PATH },
  ...Object.entries(CONSOLE_ROUTES)
    .filter(([name]) => name !== 'logout')
    .map(([, route]) => ({ method: route.method, path: `${CONSOLE_API}${route.path}` })),
];

const bodyFields = {
  deviceId: text,
  mode: fc.oneof(fc.constantFrom('attended', 'unattended', 'dynamic'), text),
  username: text,
  password: text,
  name: text,
  organisation: text,
  role: fc.oneof(fc.constantFrom('admin', 'operator'), text),
  operatorId: text,
  setupToken: text,
  enrolmentToken: text,
  hostname: text,
  os: text,
  agentVersion: fc.oneof(fc.constantFrom('26.11'), text),
  product: json,
  groups: json,
};

/** A body: JSON near the routes' own, any JSON, any text, JSON nested far too deep, or none. */
const body = fc.oneof(
  { weight: 4, arbitrary: objectOf(bodyFields).map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: json.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 17, max: 8_000 }).map((depth) => `{"username":${nestedArrays(depth)}}`) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'nonsense',
  undefined,
);

/** A URL component of any string: lone surrogates (which no URL can carry) become U+FFFD first. */
function encoded(value: string): string {
  return encodeURIComponent(
    value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}

/** A route's path with its parameters filled in, valid-looking or not. */
function fill(path: string): fc.Arbitrary<string> {
  const names = path.match(/:\w+/g) ?? [];
  return fc
    .tuple(...names.map(() => fc.oneof(text, fc.stringMatching(/^\d{9}$/), fc.constant('root-admin'))))
    .map((values) => values.reduce<string>((p, value, i) => p.replace(names[i]!, encoded(value)), path));
}

describe('relay fuzzing: HTTP bodies and activation files', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  let assistance: AssistanceResponse;
  const unhandled = watchUnhandled();
  before(async () => {
    // The rate limits would refuse most of what the fuzzer sends: it is the parsing under test here.
    relay = await startTestRelay({ relay: { limits: { eventsPerSecond: 1e9, eventBurst: 1e9 } } });
    admin = await firstAdmin(relay);
    const device = await relay.connectDevice('Kiosk 7');
    assistance = await relay.requestAssistance({ deviceId: device.deviceId, mode: 'attended' });
  });
  after(async () => {
    await relay.close();
    unhandled.stop();
  });

  it('answers any request to any API route with a 4xx refusal in the ApiError shape, or success', async (t) => {
    const request = fc.record({
      route: fc.constantFrom(...ROUTES),
      otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), {
        freq: 5,
      }),
      credential: fc.constantFrom('admin', 'operator', 'garbage', 'none'),
      contentType,
      body,
      query: fc.option(fc.string({ maxLength: 30 }), { freq: 4 }),
    });
    await fuzz(
      t,
      0.25,
      fc.asyncProperty(
        request.chain((r) => fill(r.route.path).map((path) => ({ ...r, path }))),
        async ({ route, otherMethod, credential, contentType: type, body: sent, query, path }) => {
          const method = otherMethod ?? route.method;
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          if (credential === 'admin')
            Object.assign(headers, { cookie: admin.cookie!, 'x-flxra-csrf': admin.csrfToken! });
          if (credential === 'operator') headers.authorization = `Bearer ${relay.operatorToken}`;
          if (credential === 'garbage')
            Object.assign(headers, { authorization: 'Bearer x', cookie: 'flxra_console=x' });
          const withBody = sent !== undefined && method !== 'GET' && method !== 'HEAD';
          const url = `${relay.url}${path}${query === null ? '' : `?${encoded(query)}`}`;
          const response = await fetch(url, { method, headers, ...(withBody ? { body: sent } : {}) });
          const answer = await response.text();
          assert.ok(response.status < 500, `${method} ${path}: ${response.status} ${answer}`);
          if (response.status >= 400 && method !== 'HEAD')
            assert.ok(ApiError.safeParse(JSON.parse(answer)).success, `${method} ${path}: ${answer}`);
        },
      ),
    );
    assert.deepEqual(
      relay.logs.filter((l) => l.level === 'error'),
      [],
      'a request failed inside the relay',
    );
  });

  it("reads any mutation of an activation file without throwing, and never yields claims it wasn't signed with", async (t) => {
    const file = assistance.activation.content;
    const token = activationToken(assistance);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const keys = RelayKeys.parse(await (await fetch(`${relay.url}${RELAY_KEYS_PATH}`)).json());
    const trusted: TrustedKeyLookup = {
      find: async (relayUrl, kid) => {
        const key = keys.keys.find((k) => k.kid === kid);
        return key && relayUrl === keys.relay ? { relay: keys.relay, trustedAt: '', ...key } : null;
      },
    };
    const at = (s: string) => fc.nat({ max: Math.max(0, s.length - 1) });
    const mutation = fc.oneof(
      // A character of the file changed, inserted or removed.
      fc
        .tuple(at(file), fc.string({ minLength: 0, maxLength: 3 }), fc.nat({ max: 3 }))
        .map(([i, put, cut]) => file.slice(0, i) + put + file.slice(i + cut)),
      // The token's own characters changed, the envelope intact.
      fc
        .tuple(at(token), fc.constantFrom(...'AZaz09-_.=+/'), fc.nat({ max: 2 }))
        .map(([i, put, cut]) => activationFileContent(token.slice(0, i) + put + token.slice(i + cut))),
      // Claims of the attacker's choosing under the relay's signature.
      objectOf({ sid: fc.stringMatching(/^\d{9}$/), sub: text, exp: fc.integer(), mode: text, relay: text }).map(
        (changes) =>
          activationFileContent(
            `${header}.${Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url')}.${signature}`,
          ),
      ),
      // Envelopes of any shape, and any text.
      objectOf({ format: text, version: fc.oneof(fc.integer(), json), token: fc.oneof(text, fc.constant(token)) }).map(
        (o) => JSON.stringify(o),
      ),
      fc.string({ maxLength: 300 }),
    );
    await fuzz(
      t,
      0.12,
      fc.asyncProperty(mutation, async (text) => {
        parseActivationEnvelope(text);
        const verified = await verifyActivation(text, trusted, Date.now());
        if (verified.ok) assert.deepEqual(verified.claims, claims, 'a mutated file verified with other claims');
      }),
    );
  });

  it('answers every mutated activation opened on the relay, and admits only the file it signed', async (t) => {
    const token = activationToken(assistance);
    const signed = token.split('.').map((segment) => Buffer.from(segment, 'base64url'));
    // base64url decoding skips what is not of its alphabet: such a copy is the very file the relay signed.
    const sameFile = (activation: string) => {
      const segments = activation.split('.');
      return segments.length === 3 && segments.every((seg, i) => Buffer.from(seg, 'base64url').equals(signed[i]!));
    };
    const op = await relay.connectOperator();
    const count = () => ({
      refused: op.received('relay:error').filter((e) => e.event === 'assistance:open').length,
      admitted: op.received('session:waiting').length,
    });
    const mutated = fc
      .tuple(fc.nat({ max: token.length - 1 }), fc.string({ minLength: 1, maxLength: 2 }), fc.nat({ max: 2 }))
      .map(([i, put, cut]) => token.slice(0, i) + put + token.slice(i + cut))
      .filter((changed) => changed !== token);
    await fuzz(
      t,
      0.1,
      fc.asyncProperty(mutated, fc.option(text, { freq: 2 }), async (activation, password) => {
        const before = count();
        op.emitRaw('assistance:open', { activation, ...(password === null ? {} : { password }) });
        // Handled in turn: its answer is in once the flush's is.
        await op.flush();
        const after = count();
        assert.equal(after.refused - before.refused + after.admitted - before.admitted, 1, 'not answered once');
        if (after.admitted > before.admitted) assert.ok(sameFile(activation), `admitted a forgery: ${activation}`);
      }),
    );
    unhandled.assertNone();
  });
});
