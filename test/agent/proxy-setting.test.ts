/**
 * Where the agent's explicit proxy setting comes from and what becomes of its password
 * (src/agent/proxy-setting.ts), on the real owner-only credential store (the agent's store where
 * there is no keychain) and real files: the order of the sources, FLXRA_PROXY_URL taken out of
 * the environment, a password moved out of the configuration file (and out of the Windows
 * registry value, through reg.exe's argument vector), found again on the next run, and a user
 * without a kept password refused with what to do; what a host is handed (proxyHandoverFor) and
 * uses of it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ownerOnlyFileStore } from '../../src/platform/credentials/owner-only-file-store.js';
import { DEFAULT_AGENT_CONFIG, readAgentConfig } from '../../src/agent/config.js';
import { agentProxySetting, ProxySettingProblem, proxyPasswordAccount } from '../../src/agent/proxy-setting.js';
import { parseAgentArgs, UsageError } from '../../src/agent/agent-args.js';
import { sessionEnvironment } from '../../src/agent/launcher/session-account.js';
import {
  hostProxySetting,
  proxyHandoverFor,
  proxySettingWithKeychain,
} from '../../src/platform/proxy/setting-keychain.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-proxy-setting-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function deps(name: string, extra: Partial<Parameters<typeof agentProxySetting>[0]> = {}) {
  const lines: string[] = [];
  const configPath = path.join(dir, `${name}.json`);
  return {
    lines,
    configPath,
    deps: {
      args: { configPath },
      config: DEFAULT_AGENT_CONFIG,
      env: {},
      credentials: ownerOnlyFileStore(path.join(dir, `${name}-state`)),
      log: (line: string) => lines.push(line),
      platform: 'linux' as const,
      ...extra,
    },
  };
}

test('a password in agent.json moves to the store; the file keeps the rest and the user; the next run finds it', async () => {
  const t = deps('file');
  await writeFile(
    t.configPath,
    JSON.stringify({
      verification: { required: true, unattended: 'view' },
      Proxy_Url: 'http://alice:s%3Acret@proxy.corp:3128',
    }),
    { mode: 0o640 },
  );
  const config = await readAgentConfig(t.configPath);
  const first = await agentProxySetting({ ...t.deps, config });
  assert.equal(first.setting, 'http://alice:s%3Acret@proxy.corp:3128/');
  assert.equal(first.from, `Proxy_Url in ${t.configPath}`);
  assert.equal(await t.deps.credentials.get('proxy-password:alice@http://proxy.corp:3128'), 's:cret');
  const rewritten = JSON.parse(await readFile(t.configPath, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(rewritten, {
    verification: { required: true, unattended: 'view' },
    Proxy_Url: 'http://alice@proxy.corp:3128',
  });
  assert.equal((await stat(t.configPath)).mode & 0o777, 0o640, 'the file keeps its mode');
  assert.match(
    t.lines.join('\n'),
    /was moved to the keychain; the setting now reads http:\/\/proxy\.corp:3128 with user alice/,
  );
  assert.doesNotMatch(t.lines.join('\n'), /s%3Acret|s:cret/);

  const again = await agentProxySetting({ ...t.deps, config: await readAgentConfig(t.configPath) });
  assert.equal(again.setting, 'http://alice:s%3Acret@proxy.corp:3128/', 'the password back from the store');
});

test('the order: --proxy, then FLXRA_PROXY_URL (taken out of the environment), then the file', async () => {
  const t = deps('order', { config: { ...DEFAULT_AGENT_CONFIG, Proxy_Url: 'http://file.corp:1' } });
  const env: NodeJS.ProcessEnv = { FLXRA_PROXY_URL: 'http://bob:pw@env.corp:2' };
  const fromArgs = await agentProxySetting({ ...t.deps, env, args: { ...t.deps.args, proxyUrl: 'direct' } });
  assert.deepEqual(fromArgs, { setting: 'direct', from: '--proxy' });
  const fromEnv = await agentProxySetting({ ...t.deps, env: { FLXRA_PROXY_URL: 'http://bob:pw@env.corp:2' } });
  assert.deepEqual(fromEnv, { setting: 'http://bob:pw@env.corp:2/', from: 'FLXRA_PROXY_URL' });
  assert.match(
    t.lines.at(-1)!,
    /take it out of the agent's environment, FLXRA_PROXY_URL=http:\/\/bob@env\.corp:2 is enough/,
  );
  assert.equal(env.FLXRA_PROXY_URL, undefined, 'hosts the agent starts do not inherit it');
  assert.deepEqual(await agentProxySetting(t.deps), {
    setting: 'http://file.corp:1/',
    from: `Proxy_Url in ${t.configPath}`,
  });
  assert.deepEqual(await agentProxySetting(deps('none').deps), {});
});

test('a user without a kept password, or a setting that is no address, stops the agent saying what to do', async () => {
  const t = deps('nopass', { args: { configPath: 'x', proxyUrl: 'http://carol@proxy.corp:3128' } });
  await assert.rejects(agentProxySetting(t.deps), (err: Error) => {
    assert.ok(err instanceof ProxySettingProblem);
    assert.match(
      err.message,
      /names the proxy user carol, and no password for it is in the keychain\. Write it once in Proxy_Url/,
    );
    return true;
  });
  const bad = deps('bad', { args: { configPath: 'x', proxyUrl: 'socks5://proxy.corp:1080' } });
  await assert.rejects(agentProxySetting(bad.deps), /--proxy: Proxy_Url: a socks5 proxy is not supported/);
  assert.throws(() => parseAgentArgs(['--proxy', 'carol:pw@proxy.corp:3128']), UsageError);
  assert.equal(parseAgentArgs(['--proxy', 'http://carol@proxy.corp:3128']).proxyUrl, 'http://carol@proxy.corp:3128');
});

test("Windows: the registry's Proxy_Url comes before the file, and is rewritten without its password", async () => {
  const calls: string[][] = [];
  const run = async (file: string, args: readonly string[]) => {
    calls.push([file, ...args]);
    if (args[0] === 'query')
      return {
        code: 0,
        stdout:
          '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Agent\r\n    Proxy_Url    REG_SZ    http://dave:pw1@proxy.corp:8080\r\n\r\n',
        stderr: '',
      };
    return { code: 0, stdout: 'The operation completed successfully.\r\n', stderr: '' };
  };
  const t = deps('windows', {
    platform: 'win32',
    run,
    config: { ...DEFAULT_AGENT_CONFIG, Proxy_Url: 'http://file.corp:1' },
  });
  const setting = await agentProxySetting(t.deps);
  assert.deepEqual(setting, {
    setting: 'http://dave:pw1@proxy.corp:8080/',
    from: 'Proxy_Url in HKLM\\SOFTWARE\\flxra\\Agent',
  });
  assert.equal(await t.deps.credentials.get(proxyPasswordAccount(new URL('http://dave@proxy.corp:8080'))), 'pw1');
  assert.deepEqual(calls[1]!.slice(1), [
    'add',
    'HKLM\\SOFTWARE\\flxra\\Agent',
    '/v',
    'Proxy_Url',
    '/t',
    'REG_SZ',
    '/d',
    'http://dave@proxy.corp:8080',
    '/f',
    '/reg:64',
  ]);
});

test("the hosts an agent starts get its proxy setting without the password, as the session's user too", () => {
  assert.equal(hostProxySetting('http://desk:s3cret@proxy.corp:3128'), 'http://desk@proxy.corp:3128');
  assert.equal(hostProxySetting('http://proxy.corp:3128/'), 'http://proxy.corp:3128');
  assert.equal(hostProxySetting('pac+http://wpad.corp/proxy.pac'), 'pac+http://wpad.corp/proxy.pac');
  assert.equal(hostProxySetting('direct'), 'direct');
  const account = { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' };
  const env = sessionEnvironment(account, ':1', {
    base: { PATH: '/usr/bin', FLXRA_PROXY_URL: 'http://desk@proxy.corp:3128', FLXRA_RELAY_TOKEN_PEPPER: 'x' },
    exists: () => false,
  });
  assert.equal(env.FLXRA_PROXY_URL, 'http://desk@proxy.corp:3128');
  assert.equal(env.FLXRA_RELAY_TOKEN_PEPPER, undefined, 'nothing else of the agent');
});

test('a host is handed the password of its own proxy only; without it, it is told the password is the agent’s', async () => {
  const handover = proxyHandoverFor('http://desk:s3cr%40t@proxy.corp:3128');
  assert.deepEqual(handover, { v: 1, proxy: 'http://desk@proxy.corp:3128', password: 's3cr@t' });
  assert.equal(proxyHandoverFor('http://proxy.corp:3128'), null, 'no credentials, nothing to hand');
  assert.equal(proxyHandoverFor('http://desk@proxy.corp:3128'), null);
  assert.equal(proxyHandoverFor('pac+http://wpad.corp/proxy.pac'), null);
  assert.equal(proxyHandoverFor(undefined), null);

  // The host's keychain is never asked when the handover is for its proxy.
  const asked: string[] = [];
  const keychain = {
    get: async (account: string) => (asked.push(account), null),
    set: async () => assert.fail('a host stores nothing'),
    delete: async () => false,
  };
  const lines: string[] = [];
  const found = { value: 'http://desk@proxy.corp:3128', from: 'FLXRA_PROXY_URL' };
  const used = await proxySettingWithKeychain(found, keychain, (l) => lines.push(l), {
    handed: handover,
    missing: '',
  });
  assert.equal(used.setting, 'http://desk:s3cr%40t@proxy.corp:3128/');
  assert.deepEqual(asked, []);
  assert.ok(!lines.some((l) => l.includes('s3cr')), lines.join('\n'));

  // Handed for another proxy: not used; then nothing in the keychain either: the window's sentence.
  const other = { v: 1 as const, proxy: 'http://desk@elsewhere:3128', password: 'x' };
  await assert.rejects(
    proxySettingWithKeychain(found, keychain, () => undefined, { handed: other, missing: '' }),
    (err: Error) =>
      err instanceof ProxySettingProblem &&
      /needs the password of its user desk, which only this computer's flxra agent holds/.test(err.message),
  );
  await assert.rejects(
    proxySettingWithKeychain(found, keychain, () => undefined, { missing: 'it was not started by the agent' }),
    /it was not handed to this window \(it was not started by the agent\)\. flxra does not go around the proxy/,
  );
});
