/**
 * electron-builder.yml as data, loaded and schema-checked by electron-builder 26's own code (these
 * machines have no Electron binary to package with): the operator's portable .exe for Windows
 * (no installation, no elevation, unpacked into a folder of its own launch), the installer's and
 * the AppImage's names, each expanded by electron-builder's macro expander into a name the relay
 * offers for download (src/shared/release-artifacts.ts), what goes into the app and what is
 * unpacked from its asar (programs and native modules), and why nothing is rebuilt for Electron.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { expandMacro } from 'app-builder-lib/out/util/macroExpander.js';
import { Arch, getArtifactArchName } from 'builder-util';
import { minimatch } from 'minimatch';
import { builderConfig } from '../fixtures/builder-config.js';
import { ARTIFACT_NAMES, artifactOf, type ArtifactKind } from '../../src/shared/release-artifacts.js';

const require = createRequire(import.meta.url);

async function packageJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

test('Windows: the portable .exe and the installer, x64, neither asking for elevation', async () => {
  const config = await builderConfig();
  const win = config.win!;
  const targets = (win.target as Array<{ target: string; arch: string[] }>).map((t) => [t.target, t.arch]);
  assert.deepEqual(targets, [
    ['portable', ['x64']],
    ['nsis', ['x64']],
  ]);
  // The app's manifest: the rights of whoever starts it.
  assert.equal(win.requestedExecutionLevel, 'asInvoker');
  // The portable wrapper's NSIS RequestExecutionLevel: "user" is no UAC prompt.
  assert.equal(config.portable?.requestExecutionLevel, 'user');
  // The installer installs for the current user, without elevation.
  assert.deepEqual(
    [config.nsis?.oneClick, config.nsis?.perMachine, config.nsis?.allowElevation],
    [false, false, false],
  );
});

test("the portable .exe unpacks into its own launch's temp folder, removed with it at exit", async () => {
  const config = await builderConfig();
  assert.equal(config.portable?.unpackDirName, true);
  // How the installed electron-builder reads that option: only `true` keeps UNPACK_DIR_NAME
  // undefined, so portable.nsi unpacks into $PLUGINSDIR\app (a fresh folder per launch that NSIS
  // deletes at exit) instead of a fixed %TEMP%\<name> shared by every launch of the build.
  const nsisTarget = await readFile(require.resolve('app-builder-lib/out/targets/nsis/NsisTarget.js'), 'utf8');
  assert.match(
    nsisTarget,
    /if \(typeof unpackDirName === "string" \|\| !unpackDirName\) \{\s*defines\.UNPACK_DIR_NAME/,
  );
  const template = await readFile(require.resolve('app-builder-lib/templates/nsis/portable.nsi'), 'utf8');
  assert.match(template, /StrCpy \$INSTDIR "\$PLUGINSDIR\\app"\s*!ifdef UNPACK_DIR_NAME/);
  assert.match(template, /ExecWait [^\n]+\n\s*SetErrorLevel \$0\s*\n\s*SetOutPath \$EXEDIR\s*\n\s*RMDir \/r \$INSTDIR/);
  // The variables the app's start-up reads (src/main/portable/portable-start.ts).
  for (const name of ['PORTABLE_EXECUTABLE_DIR', 'PORTABLE_EXECUTABLE_FILE'])
    assert.ok(template.includes(`SetEnvironmentVariable(t, t)i ("${name}"`), name);
});

test('each target names its file as the relay recognises it, for this version', async () => {
  const config = await builderConfig();
  const { version } = (await packageJson('package.json')) as { version: string };
  const appInfo = { productName: config.productName!, sanitizedProductName: config.productName!, version };
  const cases: Array<[ArtifactKind, string | null | undefined, string, Arch | null]> = [
    // Portable and nsis are built x64 only: electron-builder leaves the arch out of their names.
    ['operator-portable-windows', config.portable?.artifactName, 'exe', null],
    ['installer-windows', config.nsis?.artifactName, 'exe', null],
    ['appimage-linux', config.appImage?.artifactName, 'AppImage', Arch.x64],
  ];
  const names = cases.map(([kind, pattern, ext, arch]) => {
    assert.equal(pattern, ARTIFACT_NAMES[kind].pattern, kind);
    const archName = arch === null ? null : getArtifactArchName(arch, ext);
    const fileName = expandMacro(pattern, archName, appInfo as never, { ext });
    assert.deepEqual(artifactOf(fileName), { kind, version }, fileName);
    return fileName;
  });
  assert.deepEqual(names, [
    `flxra-operator-${version}-portable.exe`,
    `flxra-${version}-setup.exe`,
    `flxra-${version}-x86_64.AppImage`,
  ]);
});

test("the app's files: its built code, not the relay's console, source maps or the relay's database module", async () => {
  const config = await builderConfig();
  // getConfig hands the list on as one filter set.
  assert.deepEqual(config.files, [
    { filter: ['out/**/*', 'package.json', '!**/*.map', '!out/console/**', '!node_modules/better-sqlite3/**'] },
  ]);
  // Left out safely: the app's main bundle never loads it.
  const main = await readFile(path.resolve('out/main/index.cjs'), 'utf8');
  assert.equal(main.includes('better-sqlite3'), false);
  assert.equal(config.asar, true);
});

test('programs and native modules are unpacked from the asar: node-pty, koffi, keytar', async () => {
  const config = await builderConfig();
  const unpack = config.asarUnpack as string[];
  const unpacked = (file: string) => unpack.some((pattern) => minimatch(file, pattern, { dot: true }));
  for (const file of [
    'node_modules/node-pty/prebuilds/win32-x64/winpty-agent.exe',
    'node_modules/node-pty/prebuilds/win32-x64/winpty.dll',
    'node_modules/node-pty/prebuilds/win32-x64/conpty/OpenConsole.exe',
    'node_modules/node-pty/prebuilds/win32-x64/pty.node',
    'node_modules/node-pty/lib/index.js',
    'node_modules/@koromix/koffi-win32-x64/koffi.node',
    'node_modules/koffi/build/koffi/win32_x64/koffi.node',
    'node_modules/keytar/build/Release/keytar.node',
  ])
    assert.ok(unpacked(file), `${file} is unpacked`);
  assert.equal(unpacked('out/main/index.cjs'), false, "the app's own code stays in the checked asar");
});

test('nothing is rebuilt for Electron: every native module the app packs is N-API', async () => {
  const config = await builderConfig();
  assert.equal(config.npmRebuild, false);
  /** Built against Node-API (one binary for Node and Electron), as its package declares. */
  const nodeApi = (pkg: Record<string, unknown>) => {
    const deps = { ...(pkg.dependencies as object), ...(pkg.devDependencies as object) };
    const binary = pkg.binary as { napi_versions?: unknown } | undefined;
    const cnoke = pkg.cnoke as { napi?: unknown } | undefined;
    return 'node-addon-api' in deps || binary?.napi_versions !== undefined || cnoke?.napi !== undefined;
  };
  for (const name of ['keytar', 'koffi', 'node-pty'])
    assert.ok(nodeApi(await packageJson(`node_modules/${name}/package.json`)), `${name} is N-API`);
  // The check tells them apart: better-sqlite3 is not N-API, hence excluded above.
  assert.equal(nodeApi(await packageJson('node_modules/better-sqlite3/package.json')), false);
});

test("the .flxra association and the flxra: scheme are the installed app's; the portable .exe declares none", async () => {
  const config = await builderConfig();
  const associations = config.fileAssociations as Array<{ ext: string; role: string }>;
  assert.deepEqual(
    associations.map((a) => [a.ext, a.role]),
    [['flxra', 'Viewer']],
  );
  assert.equal((config.portable as Record<string, unknown>).fileAssociations, undefined);
  assert.equal((config.portable as Record<string, unknown>).protocols, undefined);
});
