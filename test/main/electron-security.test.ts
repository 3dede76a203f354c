/**
 * Electron's security checklist, each item checked where it can be without Electron's binary
 * (these machines have none): the fuses as electron-builder 26 itself reads and applies them from
 * electron-builder.yml, the windows' preferences, the pages' scheme and its path checks against
 * the built pages, the permission decisions, the CSP, and docs/security.md citing only code that
 * exists.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { FuseV1Options } from '@electron/fuses';
import { LinuxPackager, type Configuration } from 'electron-builder';
import {
  APP_BASE,
  appContentType,
  appFilePath,
  appPageUrl,
  isAppRequest,
} from '../../src/main/security/app-protocol.js';
import { permissionAllowed, type PermissionAsk } from '../../src/main/security/permissions.js';
import { secureWebPreferences } from '../../src/main/security/web-preferences.js';
import { senderRole } from '../../src/main/ipc/sender.js';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/content-security-policy.js';
import { builderConfig } from '../fixtures/builder-config.js';

const rendererDir = path.resolve('out/renderer');

test('the fuses electron-builder 26 flips from electron-builder.yml: no Node back doors, code from the checked asar only', async () => {
  const config = await builderConfig();
  assert.ok(config.electronFuses, 'electronFuses is set');
  // What electron-builder hands @electron/fuses, computed by its own code from our config.
  type FuseConfigOf = (fuses: NonNullable<Configuration['electronFuses']>) => Promise<Record<number, boolean>>;
  const generateFuseConfig = (LinuxPackager.prototype as unknown as { generateFuseConfig: FuseConfigOf })
    .generateFuseConfig;
  const wire = await generateFuseConfig.call(null, config.electronFuses);
  assert.deepEqual(
    {
      runAsNode: wire[FuseV1Options.RunAsNode],
      nodeOptions: wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      inspect: wire[FuseV1Options.EnableNodeCliInspectArguments],
      fileProtocolPrivileges: wire[FuseV1Options.GrantFileProtocolExtraPrivileges],
      asarIntegrity: wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      onlyAsar: wire[FuseV1Options.OnlyLoadAppFromAsar],
      cookieEncryption: wire[FuseV1Options.EnableCookieEncryption],
    },
    {
      runAsNode: false,
      nodeOptions: false,
      inspect: false,
      fileProtocolPrivileges: false,
      asarIntegrity: true,
      onlyAsar: true,
      cookieEncryption: true,
    },
  );
  // Integrity validation needs an asar and the hashes electron-builder embeds unless told not to.
  assert.notEqual(config.asar, false);
  assert.notEqual(config.disableAsarIntegrity, true);
});

test("the windows' preferences: isolated, sandboxed, no Node, web security on, nothing experimental", () => {
  const prefs: Record<string, unknown> = secureWebPreferences('/app/preload.cjs');
  assert.deepEqual(
    {
      contextIsolation: prefs.contextIsolation,
      sandbox: prefs.sandbox,
      nodeIntegration: prefs.nodeIntegration,
      nodeIntegrationInWorker: prefs.nodeIntegrationInWorker,
      nodeIntegrationInSubFrames: prefs.nodeIntegrationInSubFrames,
      webSecurity: prefs.webSecurity,
      allowRunningInsecureContent: prefs.allowRunningInsecureContent,
      experimentalFeatures: prefs.experimentalFeatures,
      webviewTag: prefs.webviewTag,
    },
    {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    },
  );
  assert.ok(!('enableBlinkFeatures' in prefs), 'no Blink features switched on');
});

test('flxra://app/ serves the built pages and their assets, and no file outside them', async () => {
  const page = appFilePath(rendererDir, appPageUrl('operator'));
  assert.equal(page, path.join(rendererDir, 'operator.html'));
  const html = await readFile(page, 'utf8').catch(() => assert.fail('run `npm run build` first'));
  const script = /<script[^>]+src="\.\/([^"]+)"/.exec(html)?.[1];
  assert.ok(script, 'the page loads its script by a relative URL');
  assert.equal(appFilePath(rendererDir, new URL(script, appPageUrl('operator')).href), path.join(rendererDir, script));
  assert.equal(appContentType(page), 'text/html; charset=utf-8');
  assert.equal(appContentType(script), 'text/javascript; charset=utf-8');
  assert.equal(appContentType('x.exe'), 'application/octet-stream');
  // Dot segments are resolved in the URL itself (as Chromium does): whatever they say, the file
  // named is inside the renderer folder.
  for (const url of [
    `${APP_BASE}../main/index.cjs`,
    `${APP_BASE}%2e%2e/%2e%2e/main/index.cjs`,
    `${APP_BASE}assets/../../../etc/passwd`,
  ]) {
    const file = appFilePath(rendererDir, url);
    assert.ok(file?.startsWith(rendererDir + path.sep), `${url} -> ${file}`);
  }
  for (const url of [
    `${APP_BASE}..%2fmain%2findex.cjs`,
    `${APP_BASE}..%2f..%2fmain%2findex.cjs`,
    `${APP_BASE}..%5cmain%5cindex.cjs`,
    `${APP_BASE}%2fetc%2fpasswd`,
    `${APP_BASE}host.html%00.png`,
    `${APP_BASE}`,
    `${APP_BASE}%E0%A4%A`,
    'flxra://evil/host.html',
    'flxra://user:pw@app/host.html',
    `file://${rendererDir}/host.html`,
    'https://example.com/host.html',
    'not a url',
  ]) {
    assert.equal(appFilePath(rendererDir, url), null, url);
  }
});

test('a window may load the app and nothing remote', () => {
  assert.ok(isAppRequest(appPageUrl('host')));
  assert.ok(isAppRequest(`${APP_BASE}assets/index.js`));
  for (const url of [
    'https://relay.example/',
    'http://127.0.0.1:7443/socket.io/',
    'wss://relay.example/socket.io/',
    'file:///etc/passwd',
    `${APP_BASE}..%2f..%2fetc%2fpasswd`,
    'flxra://other/host.html',
  ])
    assert.ok(!isAppRequest(url), url);
});

test('IPC is taken only from the pages under flxra://app/, each for its role', () => {
  const policy = { rendererBase: APP_BASE };
  assert.equal(senderRole(policy, appPageUrl('host')), 'host');
  assert.equal(senderRole(policy, appPageUrl('operator')), 'operator');
  for (const url of ['flxra://appx/host.html', 'flxra://evil/operator.html', 'https://app/host.html', undefined])
    assert.equal(senderRole(policy, url), null, String(url));
});

test('permissions: screen capture for the host page while consent holds; nothing else, ever', () => {
  let consent = false;
  const context = { captureAllowed: () => consent };
  const host = appPageUrl('host');
  // Electron 41 asks for getDisplayMedia as `media` with no devices; 45 and later as display-capture.
  const capture: PermissionAsk = { permission: 'media', requestingUrl: host, mediaTypes: [] };
  assert.equal(permissionAllowed(capture, context), false, 'not before the user allowed it');
  consent = true;
  assert.equal(permissionAllowed(capture, context), true);
  assert.equal(permissionAllowed({ ...capture, permission: 'display-capture' }, context), true);
  assert.equal(permissionAllowed({ permission: 'media', requestingUrl: host, mediaType: 'unknown' }, context), true);
  for (const ask of [
    { ...capture, mediaTypes: ['video'] }, // the camera
    { ...capture, mediaTypes: ['audio'] }, // the microphone
    { permission: 'media', requestingUrl: host, mediaType: 'video' },
    { ...capture, requestingUrl: appPageUrl('operator') },
    { ...capture, requestingUrl: 'https://evil.example/host.html' },
    { ...capture, requestingUrl: undefined },
    ...['geolocation', 'notifications', 'clipboard-read', 'openExternal', 'pointerLock', 'hid', 'usb'].map(
      (permission) => ({ permission, requestingUrl: host }),
    ),
  ])
    assert.equal(permissionAllowed(ask, context), false, JSON.stringify(ask));
});

test('the CSP is strict: nothing inline, nothing remote, no plugins, no framing, no base or form targets', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)] as const),
  );
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  for (const name of ['object-src', 'base-uri', 'form-action', 'frame-ancestors'])
    assert.deepEqual(directives.get(name), ["'none'"], name);
  for (const [name, sources] of directives) {
    for (const source of sources)
      assert.ok(!/unsafe-|^\*$|^https?:|^wss?:|^http|^\*\./.test(source), `${name} allows ${source}`);
  }
});

test('docs/security.md cites only code that exists: every `file#symbol` is found in its file', async () => {
  const doc = await readFile('docs/security.md', 'utf8');
  assert.deepEqual(doc.match(/`#[^`]+`/g) ?? [], [], 'every citation names its file');
  const citations = [...doc.matchAll(/`([\w./-]+\.(?:ts|tsx|js|cjs|yml|json))#([^`]+)`/g)];
  assert.ok(citations.length >= 30, `only ${citations.length} citations`);
  for (const [, file, symbol] of citations) {
    const text = await readFile(file!, 'utf8').catch(() => assert.fail(`${file} does not exist`));
    assert.ok(text.includes(symbol!), `${file} has no ${symbol}`);
  }
});

test('only main and the preload import Electron; neither imports remote, and shell opens only the relay console', async () => {
  const electronImports = async (file: string) =>
    [...(await readFile(file, 'utf8')).matchAll(/import \{([^}]*)\} from 'electron'/g)].flatMap((m) =>
      m[1]!.split(',').map((name) => name.replace(/\btype\b/, '').trim()),
    );
  for (const file of ['src/main/index.ts', 'src/main/preload/index.ts']) {
    const names = await electronImports(file);
    assert.ok(names.length > 0, file);
    assert.ok(!names.includes('remote'), `${file} imports remote`);
    if (file !== 'src/main/index.ts') assert.ok(!names.includes('shell'), `${file} imports shell`);
  }
  // Main's one use of shell: the configured relay's console (Open the console), checked against that address.
  const main = await readFile('src/main/index.ts', 'utf8');
  assert.deepEqual(
    [...main.matchAll(/\bshell\.\w+\([^)]*\)/g)].map((m) => m[0]),
    ['shell.openExternal(url)'],
  );
  assert.match(main, /if \(url !== relayConsoleUrl\) throw new Error\([^)]*\);\s*await shell\.openExternal\(url\);/);
  assert.match(main, /const relayConsoleUrl = consoleUrl\(options\.relayUrl\);/);
  assert.deepEqual(await electronImports('src/main/preload/index.ts'), [
    'contextBridge',
    'ipcRenderer',
    'IpcRendererEvent',
  ]);
});
