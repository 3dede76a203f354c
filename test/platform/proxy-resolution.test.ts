/**
 * The proxy resolution's order on real proxies (src/platform/proxy/resolve.ts): Debian's tinyproxy
 * with and without Basic authentication, PAC files served by a local http server (one that
 * returns a proxy, one that throws, one missing, one that never answers, one that loops), a
 * closed port for a proxy that does not answer, and a proxy that offers only NTLM/Negotiate (a
 * server that answers CONNECT as such proxies do, since no such proxy is packaged here). The
 * relay end of the tunnel is a plain http server. What the system says is given as data (its
 * readers are tested on their own inputs: proxy-windows.test.ts, and the environment here).
 * Every choice and refusal is checked against the shared contract's schemas.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { readProxyEnvironment, createLinuxProxyReader } from '../../src/platform/proxy/linux.js';
import { resolveProxy, type ResolveProxyOptions } from '../../src/platform/proxy/resolve.js';
import type { ProxyResolution, SystemProxy } from '../../src/platform/proxy/proxy-choice.js';
import { parsePacAnswer } from '../../src/platform/proxy/pac.js';
import { challengeSchemes } from '../../src/platform/proxy/probe.js';
import { parseResolvConfSearch, wpadCandidates } from '../../src/platform/proxy/wpad.js';
import { bypassesProxy } from '../../src/platform/proxy/bypass.js';
import { ProxyChoice, ProxyRefusal } from '../../src/shared/proxy-choice.js';
import { freePort, startTinyproxy, type Tinyproxy } from '../fixtures/tinyproxy.js';

const USER = 'alice';
const PASSWORD = 'pr0xy-s3cret';
let authProxy: Tinyproxy;
let openProxy: Tinyproxy;
let relay: http.Server;
let relayUrl: string;
let pac: http.Server;
let pacBase: string;
let ntlm: net.Server;
let ntlmUrl: string;
let closedPort: number;

async function listen<T extends net.Server>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (s: net.Server) => (s.address() as AddressInfo).port;

before(async () => {
  authProxy = await startTinyproxy({ basicAuth: { user: USER, password: PASSWORD } });
  openProxy = await startTinyproxy();
  relay = await listen(http.createServer((_req, res) => res.end('relay')));
  relayUrl = `http://127.0.0.1:${portOf(relay)}/`;
  const files: Record<string, string> = {
    '/open.pac': `function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:${openProxy.port}; DIRECT"; }`,
    '/dead-then-open.pac': `function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:${await freePort()}; PROXY 127.0.0.1:${openProxy.port}"; }`,
    '/throws.pac': 'function FindProxyForURL(url, host) { throw new Error("no rule for " + host); }',
    '/loops.pac': 'function FindProxyForURL(url, host) { for (;;) {} }',
    '/direct.pac': 'function FindProxyForURL(url, host) { return isPlainHostName(host) ? "PROXY x:1" : "DIRECT"; }',
  };
  pac = await listen(
    http.createServer((req, res) => {
      if (req.url === '/silent.pac') return; // never answers
      const body = files[req.url ?? ''];
      if (body === undefined) return res.writeHead(404).end('not here');
      res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' }).end(body);
    }),
  );
  pacBase = `http://127.0.0.1:${portOf(pac)}`;
  // Answers every CONNECT as an NTLM/Kerberos-only proxy does.
  ntlm = await listen(
    http.createServer().on('connect', (_req, socket: net.Socket) => {
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\nProxy-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n',
      );
    }),
  );
  ntlmUrl = `http://127.0.0.1:${portOf(ntlm)}`;
  closedPort = await freePort();
});

after(async () => {
  pac?.closeAllConnections();
  await Promise.all([authProxy?.close(), openProxy?.close()]);
  await Promise.all([relay, pac, ntlm].map((s) => s && new Promise((r) => s.close(r))));
});

const system = (s: Partial<SystemProxy> | null) => ({
  read: async () => (s === null ? null : { bypass: [], autoDetect: false, from: 'the test system', ...s }),
});

function resolve(opts: Partial<ResolveProxyOptions>): Promise<ProxyResolution> {
  return resolveProxy({
    relayUrl,
    system: system(null),
    wpadUrls: [],
    pacTimeoutMs: 1_000,
    wpadTimeoutMs: 1_000,
    ...opts,
  });
}

function chosen(r: ProxyResolution) {
  assert.ok(r.ok, `refused: ${r.ok ? '' : r.refusal.message}`);
  // Nothing said about the choice carries the password; it is the shared contract's data, as IPC will check it.
  assert.doesNotMatch(JSON.stringify(r.choice), new RegExp(PASSWORD));
  assert.deepEqual(ProxyChoice.strict().parse(r.choice), r.choice);
  return r;
}

const authUrl = (password = PASSWORD) => `http://${USER}:${password}@127.0.0.1:${authProxy.port}`;
const target = () => `127.0.0.1:${portOf(relay)}`;

test('the setting with its credentials: the authenticating proxy tunnels to the relay, said without the password', async () => {
  const before = (await authProxy.connects()).length;
  const r = chosen(
    await resolve({
      setting: authUrl(),
      settingFrom: 'Proxy_Url in agent.json',
      system: system({ proxy: openProxy.url }),
    }),
  );
  assert.deepEqual(r.choice, {
    kind: 'proxy',
    source: 'setting',
    url: `http://127.0.0.1:${authProxy.port}`,
    reason: `the proxy of Proxy_Url in agent.json http://127.0.0.1:${authProxy.port} answers`,
  });
  assert.equal(r.connectVia?.password, PASSWORD, 'the tunnel itself carries the credentials');
  assert.deepEqual((await authProxy.connects()).slice(before), [target()]);
});

test('wrong credentials stop the resolution with a clear refusal: no other proxy, no direct', async () => {
  const openBefore = (await openProxy.connects()).length;
  const r = await resolve({
    setting: authUrl('wrong'),
    system: system({ proxy: openProxy.url }),
    wpadUrls: [`${pacBase}/open.pac`],
  });
  assert.ok(!r.ok);
  assert.equal(r.refusal.code, 'proxy-credentials-refused');
  assert.equal(r.refusal.source, 'setting');
  assert.deepEqual(ProxyRefusal.strict().parse(r.refusal), r.refusal);
  assert.match(r.refusal.message, /refused the user name and password it was given \(HTTP 401\)/);
  assert.match(r.refusal.message, /does not go around a configured proxy/);
  assert.doesNotMatch(JSON.stringify(r.refusal), /wrong/);
  assert.equal((await openProxy.connects()).length, openBefore, 'the next steps were never tried');
});

test('no credentials for a proxy that wants them, and an NTLM/Negotiate-only proxy, are refusals saying so', async () => {
  const needed = await resolve({ setting: `http://127.0.0.1:${authProxy.port}` });
  assert.ok(!needed.ok);
  assert.equal(needed.refusal.code, 'proxy-credentials-needed');
  assert.match(needed.refusal.message, /asks for a user name and password \(HTTP 407\)/);

  const integrated = await resolve({ setting: ntlmUrl, system: system({ proxy: openProxy.url }) });
  assert.ok(!integrated.ok);
  assert.equal(integrated.refusal.code, 'proxy-integrated-auth-only');
  assert.match(
    integrated.refusal.message,
    /accepts only Windows integrated sign-in \(Negotiate, NTLM\), which flxra does not support/,
  );
  // The same from the system's step: it stops there too.
  const fromSystem = await resolve({ system: system({ proxy: ntlmUrl }) });
  assert.ok(!fromSystem.ok);
  assert.equal(fromSystem.refusal.source, 'system');
});

test('an unreachable proxy moves on: the setting to the system, the system to automatic detection', async () => {
  const dead = `http://127.0.0.1:${closedPort}`;
  const toSystem = chosen(
    await resolve({ setting: dead, system: system({ proxy: openProxy.url, from: 'HTTPS_PROXY' }) }),
  );
  assert.equal(toSystem.choice.source, 'system');
  assert.equal(toSystem.choice.url, openProxy.url);
  assert.match(toSystem.choice.reason, new RegExp(`the proxy of Proxy_Url ${dead} did not answer \\(ECONNREFUSED\\)`));

  const toWpad = chosen(
    await resolve({ system: system({ proxy: dead, from: 'HTTPS_PROXY' }), wpadUrls: [`${pacBase}/open.pac`] }),
  );
  assert.equal(toWpad.choice.kind, 'pac');
  assert.equal(toWpad.choice.source, 'wpad');
  assert.equal(toWpad.choice.proxy, openProxy.url);
  assert.match(toWpad.choice.reason, /the proxy of HTTPS_PROXY .* did not answer \(ECONNREFUSED\)/);

  const toDirect = chosen(
    await resolve({ system: system({ proxy: dead }), wpadUrls: [`http://127.0.0.1:${closedPort}/wpad.dat`] }),
  );
  assert.deepEqual([toDirect.choice.kind, toDirect.choice.source], ['direct', 'none']);
  assert.match(
    toDirect.choice.reason,
    /^no proxy is configured or detected; before that, .*did not answer.*automatic detection \(WPAD\): .*wpad\.dat failed/,
  );
});

test('a PAC file that throws, is missing, never answers or never returns moves on; one that names tinyproxy is used', async () => {
  for (const file of ['throws.pac', 'missing.pac', 'silent.pac', 'loops.pac']) {
    const r = chosen(await resolve({ system: system({ pacUrl: `${pacBase}/${file}`, proxy: openProxy.url }) }));
    assert.deepEqual([r.choice.kind, r.choice.source, r.choice.url], ['proxy', 'system', openProxy.url], file);
    const why = {
      'throws.pac': /its FindProxyForURL failed: no rule for 127\.0\.0\.1/,
      'missing.pac': /failed \(HTTP 404\)/,
      'silent.pac': /failed \(no answer within 1000 ms\)/,
      'loops.pac': /its FindProxyForURL failed: interrupted/,
    }[file]!;
    assert.match(r.choice.reason, why, file);
  }
  const before = (await openProxy.connects()).length;
  const used = chosen(await resolve({ system: system({ pacUrl: `${pacBase}/open.pac` }) }));
  assert.deepEqual(used.choice, {
    kind: 'pac',
    source: 'system',
    url: `${pacBase}/open.pac`,
    proxy: openProxy.url,
    reason: `the proxy that the PAC file of the test system ${pacBase}/open.pac named, ${openProxy.url} answers`,
  });
  assert.deepEqual((await openProxy.connects()).slice(before), [target()]);
  // A dead first entry: the next one of the same answer.
  const next = chosen(await resolve({ setting: `pac+${pacBase}/dead-then-open.pac` }));
  assert.deepEqual([next.choice.kind, next.choice.source, next.choice.proxy], ['pac', 'setting', openProxy.url]);
  // DIRECT from a PAC file is a decision too.
  const direct = chosen(await resolve({ system: system({ pacUrl: `${pacBase}/direct.pac` }) }));
  assert.deepEqual([direct.choice.kind, direct.choice.proxy, direct.connectVia], ['pac', undefined, undefined]);
});

test('the bypass list sends the relay direct; the setting can say direct; a socks setting is refused', async () => {
  const r = chosen(
    await resolve({
      system: system({ proxy: openProxy.url, bypass: ['.example.org', '127.0.0.0/8'], from: 'HTTPS_PROXY' }),
    }),
  );
  assert.deepEqual([r.choice.kind, r.choice.source], ['direct', 'system']);
  assert.match(r.choice.reason, /the relay is in HTTPS_PROXY's bypass list \("127\.0\.0\.0\/8"\)/);
  const direct = chosen(await resolve({ setting: 'direct', system: system({ proxy: openProxy.url }) }));
  assert.deepEqual([direct.choice.kind, direct.choice.source], ['direct', 'setting']);
  const socks = await resolve({ setting: 'socks5://127.0.0.1:1080' });
  assert.ok(!socks.ok);
  assert.equal(socks.refusal.code, 'proxy-setting-invalid');
});

test("Linux: the environment's proxy for the relay's scheme, NO_PROXY's rules; GNOME's PAC setting, or none", async () => {
  const env = {
    https_proxy: 'proxy.corp:3128',
    HTTP_PROXY: 'http://web.corp:80',
    NO_PROXY: 'localhost, .corp.example ,10.0.0.0/8',
  };
  assert.deepEqual(readProxyEnvironment(env, 'https://relay.example/'), {
    proxy: 'http://proxy.corp:3128',
    bypass: ['localhost', '.corp.example', '10.0.0.0/8'],
    from: 'HTTPS_PROXY',
  });
  assert.equal(readProxyEnvironment(env, 'http://127.0.0.1:7443/').proxy, 'http://web.corp:80');
  const noGsettings = async () => {
    throw Object.assign(new Error('spawn gsettings ENOENT'), { code: 'ENOENT' });
  };
  assert.deepEqual(await createLinuxProxyReader('https://relay.example/', {}, noGsettings).read(), {
    bypass: [],
    from: 'the environment',
    autoDetect: false,
  });
  // GNOME's setting, as gsettings prints it: mode 'auto' with its PAC address, or without one (detection).
  const gnome = (mode: string, url: string) => async (_file: string, args: readonly string[]) => ({
    code: 0,
    stdout: `${args[2] === 'mode' ? mode : url}\n`,
    stderr: '',
  });
  assert.deepEqual(
    await createLinuxProxyReader('https://relay.example/', {}, gnome("'auto'", "'http://pac.corp/proxy.pac'")).read(),
    {
      bypass: [],
      pacUrl: 'http://pac.corp/proxy.pac',
      autoDetect: false,
      from: "GNOME's proxy setting",
    },
  );
  assert.deepEqual(await createLinuxProxyReader('https://relay.example/', {}, gnome("'auto'", "''")).read(), {
    bypass: [],
    autoDetect: true,
    from: "GNOME's proxy setting",
  });
  // Any other mode: the environment's say only.
  assert.deepEqual(
    await createLinuxProxyReader('https://relay.example/', env, gnome("'manual'", "'http://x/'")).read(),
    {
      ...readProxyEnvironment(env, 'https://relay.example/'),
      autoDetect: false,
    },
  );
  for (const [host, match] of [
    ['relay.corp.example', '.corp.example'],
    ['corp.example', '.corp.example'],
    ['10.2.3.4', '10.0.0.0/8'],
    ['localhost', 'localhost'],
    ['notcorp.example', null],
    ['11.0.0.1', null],
  ] as const)
    assert.equal(bypassesProxy(`https://${host}/`, ['localhost', '.corp.example', '10.0.0.0/8']), match, host);
  assert.equal(bypassesProxy('https://relay.example:8443/', ['relay.example:443']), null, 'another port');
  assert.equal(bypassesProxy('https://relay.example/', ['relay.example:443']), 'relay.example:443');
});

test("WPAD's addresses, a PAC answer's entries, and Proxy-Authenticate's schemes", () => {
  assert.deepEqual(
    parseResolvConfSearch('nameserver 10.0.0.1\nsearch dept.corp.example corp.example\ndomain lab.example.\n'),
    ['dept.corp.example', 'corp.example', 'lab.example'],
  );
  assert.deepEqual(wpadCandidates(['dept.corp.example', 'lab.example']), [
    'http://wpad/wpad.dat',
    'http://wpad.dept.corp.example/wpad.dat',
    'http://wpad.corp.example/wpad.dat',
    'http://wpad.lab.example/wpad.dat',
  ]);
  assert.deepEqual(
    parsePacAnswer('PROXY a:8080; SOCKS5 s:1080;HTTPS b:443 ; DIRECT').map((w) =>
      w.type === 'direct' ? 'DIRECT' : w.url.href,
    ),
    ['http://a:8080/', 'https://b/', 'DIRECT'],
  );
  assert.deepEqual(challengeSchemes(['Basic realm="corp", NTLM', 'Negotiate']), ['basic', 'ntlm', 'negotiate']);
  assert.deepEqual(challengeSchemes('Digest realm="x", qop="auth", nonce="n"'), ['digest']);
});
