/**
 * Windows' proxy settings as the agent reads them (src/platform/proxy/windows.ts), on reg.exe
 * answers kept as fixtures (CRLF, reg.exe's four-space layout, the values a Windows 10/11
 * Internet Settings key holds beside the proxy's): the proxy on and off (a stale ProxyServer
 * left behind when it is off), a per-protocol list, ProxyOverride with `<local>`, AutoConfigURL,
 * "Automatically detect settings" in DefaultConnectionSettings, and answers that cannot be read;
 * the machine's WinHTTP proxy (what a LocalSystem service uses) when the account's settings name
 * none. The agent's own Proxy_Url is read from, and written back to, its registry key through
 * the same runner the reader uses (the argument vector checked). The fixtures follow the layout
 * of the outputs recorded on Windows for the registry editor; these were written, not captured.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bypassesProxy } from '../../src/platform/proxy/bypass.js';
import {
  connectionFlags,
  createWindowsProxyReader,
  parseInternetSettings,
  proxyServerFor,
  readAgentRegistryProxyUrl,
  writeAgentRegistryProxyUrl,
} from '../../src/platform/proxy/windows.js';
import type { CommandResult } from '../../src/platform/user-sessions/run-command.js';
import { parseWinHttpSettings } from '../../src/platform/proxy/windows-winhttp.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const HTTPS_RELAY = 'https://relay.example.net/';
const HTTP_RELAY = 'http://127.0.0.1:7443/';

function settings(name: string, relay = HTTPS_RELAY, connections?: string) {
  const parsed = parseInternetSettings(fixture(name), relay, connections);
  assert.ok(parsed.ok, `${name}: ${parsed.ok ? '' : parsed.error}`);
  return parsed.settings;
}

test('the proxy on: its address, the override list with <local> and globs, no PAC, no detection', () => {
  const s = settings('inet-settings-proxy-on-en.txt');
  assert.deepEqual(s, {
    proxy: 'http://proxy.corp.example:8080',
    bypass: ['glob:<local>', 'glob:*.corp.example', 'glob:10.*'],
    autoDetect: false,
    from: 'Internet Settings',
  });
  // What the override list sends direct, as Windows does.
  assert.equal(bypassesProxy('https://relay/', s.bypass), '<local>', 'a name without a dot is local');
  assert.equal(bypassesProxy('https://relay.corp.example/', s.bypass), '*.corp.example');
  assert.equal(bypassesProxy('https://10.1.2.3:8443/', s.bypass), '10.*');
  assert.equal(bypassesProxy('https://relay.example.net/', s.bypass), null);
  assert.equal(bypassesProxy('https://relay.corp.example.net/', s.bypass), null, 'a glob matches the whole name');
});

test('the proxy off: a ProxyServer left behind is not used', () => {
  const s = settings('inet-settings-proxy-off-en.txt');
  assert.equal(s.proxy, undefined);
  assert.equal(s.pacUrl, undefined);
});

test('a per-protocol list: an https relay takes https=, a plain one http=; socks and ftp are never used', () => {
  assert.equal(settings('inet-settings-per-protocol-en.txt').proxy, 'http://secure.corp.example:3129');
  assert.equal(settings('inet-settings-per-protocol-en.txt', HTTP_RELAY).proxy, 'http://web.corp.example:3128');
  assert.deepEqual(settings('inet-settings-per-protocol-en.txt').bypass, [
    'glob:*.intranet.corp.example',
    'glob:<local>',
  ]);
  // A list without the relay's scheme sends it direct, as Windows does.
  assert.equal(proxyServerFor('http=web:3128;socks=s:1080', true), undefined);
  assert.equal(proxyServerFor('http=web:3128;socks=s:1080', false), 'web:3128');
  assert.equal(proxyServerFor('proxy:8080', true), 'proxy:8080');
});

test('AutoConfigURL is the PAC file; "Automatically detect settings" is read from DefaultConnectionSettings', () => {
  const pac = settings('inet-settings-pac-en.txt', HTTPS_RELAY, fixture('inet-connections-autodetect-en.txt'));
  assert.equal(pac.pacUrl, 'http://pac.corp.example/proxy.pac');
  assert.equal(pac.proxy, undefined);
  assert.equal(pac.autoDetect, true);
  assert.equal(connectionFlags(fixture('inet-connections-autodetect-en.txt')), 0x09);
  assert.equal(connectionFlags(fixture('inet-connections-direct-en.txt')), 0x01);
  assert.equal(
    settings('inet-settings-pac-en.txt', HTTPS_RELAY, fixture('inet-connections-direct-en.txt')).autoDetect,
    false,
  );
});

test('answers that cannot be read are errors with their reason, never a guess', () => {
  const wrongType = parseInternetSettings(fixture('inet-settings-bad-type-en.txt'), HTTPS_RELAY);
  assert.deepEqual(wrongType, { ok: false, error: 'Internet Settings: ProxyEnable is a REG_SZ, not a REG_DWORD' });
  const broken = fixture('inet-settings-proxy-on-en.txt').replace(
    'ProxyEnable    REG_DWORD    0x1',
    'ProxyEnable    REG_DWORD    on',
  );
  const unreadable = parseInternetSettings(broken, HTTPS_RELAY);
  assert.equal(unreadable.ok, false);
  assert.match(unreadable.ok ? '' : unreadable.error, /ProxyEnable: "on" is not a DWORD/);
  const garbled = fixture('inet-settings-proxy-on-en.txt').replace('proxy.corp.example:8080', 'http=;;=x');
  assert.deepEqual(parseInternetSettings(garbled, HTTPS_RELAY), {
    ok: false,
    error: 'Internet Settings: ProxyServer\'s entry "=x" is not protocol=host:port',
  });
  assert.deepEqual(parseInternetSettings('\r\nHKEY_CURRENT_USER\\Software\\Other\r\n', HTTPS_RELAY), {
    ok: false,
    error: 'the answer has no Internet Settings key',
  });
  const shortBlob = fixture('inet-connections-direct-en.txt').replace(/REG_BINARY {4}\w+/, 'REG_BINARY    4600');
  assert.deepEqual(connectionFlags(shortBlob), { error: 'DefaultConnectionSettings is shorter than its header' });
});

/** reg.exe as recorded: each call's argument vector kept, the answers from fixtures. */
function recordedReg(answers: Record<string, CommandResult>) {
  const calls: string[][] = [];
  const run = async (file: string, args: readonly string[]) => {
    calls.push([file, ...args]);
    const key = args.slice(0, 2).join(' ');
    return (
      answers[key] ?? {
        code: 1,
        stdout: '',
        stderr: 'ERROR: The system was unable to find the specified registry key or value.',
      }
    );
  };
  return { run, calls };
}

test('the reader asks reg.exe for both keys; a missing Internet Settings key means nothing configured', async () => {
  const inet = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';
  const reg = recordedReg({
    [`query ${inet}`]: { code: 0, stdout: fixture('inet-settings-pac-en.txt'), stderr: '' },
    [`query ${inet}\\Connections`]: { code: 0, stdout: fixture('inet-connections-autodetect-en.txt'), stderr: '' },
  });
  const read = await createWindowsProxyReader(HTTPS_RELAY, reg.run, 'D:\\Windows').read();
  assert.deepEqual(read, {
    bypass: [],
    pacUrl: 'http://pac.corp.example/proxy.pac',
    autoDetect: true,
    from: 'Internet Settings',
  });
  assert.deepEqual(reg.calls, [
    ['D:\\Windows\\System32\\reg.exe', 'query', inet],
    ['D:\\Windows\\System32\\reg.exe', 'query', `${inet}\\Connections`, '/v', 'DefaultConnectionSettings'],
  ]);
  assert.equal(await createWindowsProxyReader(HTTPS_RELAY, recordedReg({}).run).read(), null);
  const bad = recordedReg({
    [`query ${inet}`]: { code: 0, stdout: fixture('inet-settings-bad-type-en.txt'), stderr: '' },
  });
  assert.deepEqual(await createWindowsProxyReader(HTTPS_RELAY, bad.run).read(), {
    error: 'Internet Settings: ProxyEnable is a REG_SZ, not a REG_DWORD',
  });
});

test("the agent's Proxy_Url: read from HKLM\\SOFTWARE\\flxra\\Agent (64-bit view), rewritten with reg add /f", async () => {
  const reg = recordedReg({
    'query HKLM\\SOFTWARE\\flxra\\Agent': { code: 0, stdout: fixture('agent-proxy-url-en.txt'), stderr: '' },
    'add HKLM\\SOFTWARE\\flxra\\Agent': { code: 0, stdout: 'The operation completed successfully.\r\n', stderr: '' },
  });
  assert.equal(await readAgentRegistryProxyUrl(reg.run), 'http://alice@proxy.corp.example:8080');
  await writeAgentRegistryProxyUrl(reg.run, 'http://alice@proxy.corp.example:8080');
  assert.deepEqual(reg.calls, [
    ['C:\\Windows\\System32\\reg.exe', 'query', 'HKLM\\SOFTWARE\\flxra\\Agent', '/v', 'Proxy_Url', '/reg:64'],
    [
      'C:\\Windows\\System32\\reg.exe',
      'add',
      'HKLM\\SOFTWARE\\flxra\\Agent',
      '/v',
      'Proxy_Url',
      '/t',
      'REG_SZ',
      '/d',
      'http://alice@proxy.corp.example:8080',
      '/f',
      '/reg:64',
    ],
  ]);
  assert.equal(await readAgentRegistryProxyUrl(recordedReg({}).run), undefined, 'no value: no setting');
});

test("the service account's settings name no proxy: the machine's WinHTTP proxy (netsh winhttp) is used", async () => {
  const inet = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';
  const winhttpKey = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections';
  const answers = (winhttp: string) =>
    recordedReg({
      [`query ${inet}`]: { code: 0, stdout: fixture('inet-settings-proxy-off-en.txt'), stderr: '' },
      [`query ${winhttpKey}`]: { code: 0, stdout: fixture(winhttp), stderr: '' },
    });
  const reg = answers('winhttp-proxy-en.txt');
  assert.deepEqual(await createWindowsProxyReader(HTTPS_RELAY, reg.run).read(), {
    proxy: 'http://proxy.corp.example:8080',
    bypass: ['glob:<local>', 'glob:*.corp.example'],
    autoDetect: false,
    from: 'the WinHTTP proxy (netsh winhttp)',
  });
  assert.deepEqual(reg.calls.at(-1), [
    'C:\\Windows\\System32\\reg.exe',
    'query',
    winhttpKey,
    '/v',
    'WinHttpSettings',
    '/reg:64',
  ]);
  // Direct access (netsh winhttp reset proxy): the account's own settings stand, which name none.
  const direct = await createWindowsProxyReader(HTTPS_RELAY, answers('winhttp-direct-en.txt').run).read();
  assert.deepEqual(direct, { bypass: ['glob:<local>'], autoDetect: false, from: 'Internet Settings' });
  assert.deepEqual(parseWinHttpSettings('18000000050000000300000040000000'), {
    error: "WinHttpSettings' proxy text runs past its end",
  });
  assert.deepEqual(parseWinHttpSettings('1800'), { error: 'WinHttpSettings is shorter than its header' });
});
