/**
 * The registry editor's backends. Parsers on recorded reg.exe outputs: an English `reg query` (CRLF, a subkey with
 * a space), a German one in code page 850 with every type, umlauts and the localised "(Standard)" default learned
 * from `/ve`, a search with its "End of search" line, and a UTF-16LE `.reg` export (wrapped hex, escapes, `@`).
 * Then the reg.exe backend on a recorded Windows: the argument vectors it runs (no shell, /ve for the default, the
 * data per type), the old value each change reports for the audit, missing keys, access denied (in German too)
 * and data of the wrong type as refusals. On Linux the registry tool says the device has none.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { createRegistryBackend, NO_REGISTRY, runRegistryOp } from '../../src/platform/tools/registry/index.js';
import { dataArgs } from '../../src/platform/tools/registry/reg-args.js';
import { decodeRegFile, parseRegFile } from '../../src/platform/tools/registry/reg-file.js';
import { parseKeyPath } from '../../src/platform/tools/registry/reg-paths.js';
import { parseDefaultName, parseRegQuery } from '../../src/platform/tools/registry/reg-query.js';
import { decodeConsoleText, type RawRunner } from '../../src/platform/tools/windows-console.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const GERMAN_LISTING = decodeConsoleText(fixture('reg-query-types-de.cp850.txt'), 850);
const GERMAN_VE = decodeConsoleText(fixture('reg-query-ve-de.cp850.txt'), 850);

test('English reg query: the key, its values, a subkey', () => {
  const parsed = parseRegQuery(decodeConsoleText(fixture('reg-query-environment-en.txt'), 437));
  assert.ok('keys' in parsed);
  assert.deepEqual(
    parsed.keys.map((k) => k.key),
    ['HKEY_CURRENT_USER\\Environment', 'HKEY_CURRENT_USER\\Environment\\Volatile Sub'],
  );
  assert.deepEqual(parsed.keys[0]!.values[0], {
    name: 'Path',
    type: 'REG_EXPAND_SZ',
    data: '%USERPROFILE%\\AppData\\Local\\Microsoft\\WindowsApps;',
  });
});

test('German reg query in code page 850: every type, umlauts, "(Standard)" learned from /ve', () => {
  const defaultName = parseDefaultName(GERMAN_VE);
  assert.equal(defaultName, '(Standard)');
  const parsed = parseRegQuery(GERMAN_LISTING, [defaultName]);
  assert.ok('keys' in parsed);
  assert.deepEqual(parsed.keys[0]!.values, [
    { name: '', type: 'REG_SZ', data: 'Grüße aus Köln' },
    { name: 'Pfad', type: 'REG_EXPAND_SZ', data: '%ProgramFiles%\\flxra' },
    { name: 'Liste', type: 'REG_MULTI_SZ', data: ['eins', 'zwei', 'drei mit Leerzeichen'] },
    { name: 'Zähler', type: 'REG_DWORD', data: 42 },
    { name: 'Groß', type: 'REG_QWORD', data: '1311768467294899695' },
    { name: 'Daten', type: 'REG_BINARY', data: 'DEADBEEF0001' },
    { name: 'Leer', type: 'REG_SZ', data: '' },
    { name: 'Nichts', type: 'REG_NONE', data: '' },
    { name: 'Name mit    vier Leerzeichen', type: 'REG_SZ', data: 'x' },
  ]);
  const english = parseRegQuery(GERMAN_LISTING, ['(Default)']);
  assert.ok(
    'keys' in english && english.keys[0]!.values[0]!.name === '(Standard)',
    'only the learned word is the default',
  );
});

test('a value line that is not understood, or data its type cannot hold, is a parse error', () => {
  const odd = parseRegQuery('\r\nHKEY_CURRENT_USER\\X\r\n    v    REG_DWORD    twelve\r\n');
  assert.deepEqual(odd, { error: 'v: "twelve" is not a DWORD' });
  const unknown = parseRegQuery('\r\nHKEY_CURRENT_USER\\X\r\n    v    REG_WEIRD    1\r\n');
  assert.ok('error' in unknown);
  assert.ok('error' in parseRegQuery('    v    REG_SZ    x\r\n'), 'a value before any key');
});

test('a search: keys matched by name and values, the localised summary skipped', () => {
  const parsed = parseRegQuery(decodeConsoleText(fixture('reg-query-find-en.txt'), 437));
  assert.ok('keys' in parsed);
  assert.deepEqual(
    parsed.keys.map((k) => [k.key, k.values.map((v) => v.name)]),
    [
      ['HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra', ['InstallPath']],
      ['HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Paths', []],
      ['HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Agent', ['LogPath', 'PathCount']],
    ],
  );
});

test('a UTF-16LE .reg export: @, wrapped hex, multi-strings, QWORD, escapes, Unicode names', () => {
  const text = decodeRegFile(fixture('reg-export-flxra.reg'));
  const parsed = parseRegFile(text);
  assert.ok('keys' in parsed, 'error' in parsed ? parsed.error : '');
  const [root, sub] = parsed.keys;
  assert.equal(root!.key, 'HKEY_CURRENT_USER\\Software\\flxra');
  assert.deepEqual(root!.values, [
    { name: '', type: 'REG_SZ', data: 'Standard – Grüße' },
    { name: 'Path', type: 'REG_EXPAND_SZ', data: '%SystemRoot%\\system32;%ProgramFiles%\\flxra' },
    { name: 'List', type: 'REG_MULTI_SZ', data: ['one', 'two words', '日本語'] },
    { name: 'Count', type: 'REG_DWORD', data: 42 },
    { name: 'Big', type: 'REG_QWORD', data: '1311768467294899695' },
    { name: 'Blob', type: 'REG_BINARY', data: 'DEADBEEF0001' },
    { name: 'Quote "name"', type: 'REG_SZ', data: 'C:\\dir\\ "quoted"' },
    { name: 'Empty', type: 'REG_SZ', data: '' },
    { name: 'None', type: 'REG_NONE', data: '' },
    { name: 'Ünïcödé', type: 'REG_SZ', data: '✓' },
  ]);
  assert.equal(sub!.key, 'HKEY_CURRENT_USER\\Software\\flxra\\Sub key');
  assert.equal(
    sub!.values[0]!.data,
    Buffer.from([...Array(64).keys()])
      .toString('hex')
      .toUpperCase(),
  );
  assert.ok('error' in parseRegFile('REGEDIT4\r\n'), 'an old or foreign file is refused');
  assert.deepEqual(parseRegFile(`${text.split('\r\n')[0]}\r\n\r\n[HKEY_CURRENT_USER\\X]\r\n"v"=dword:1\r\n`), {
    error: 'line 4: data "dword:1" is not of a .reg type',
  });
});

test('key paths: short and long hives, and what is refused before reg.exe runs', () => {
  assert.deepEqual(parseKeyPath('hklm\\SOFTWARE\\flxra'), {
    short: 'HKLM\\SOFTWARE\\flxra',
    long: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra',
    parts: ['SOFTWARE', 'flxra'],
  });
  assert.equal((parseKeyPath('HKEY_CURRENT_USER\\') as { long: string }).long, 'HKEY_CURRENT_USER');
  assert.match(parseKeyPath('/f') as string, /not a registry hive/);
  assert.match(parseKeyPath('HKLM\\a\\\\b') as string, /empty part/);
  assert.match(parseKeyPath('HKLM\\a\nb') as string, /control characters/);
});

test('data per type, and data a type cannot hold', () => {
  assert.deepEqual(dataArgs({ name: 'n', type: 'REG_DWORD', data: 4294967295 }), [
    '/t',
    'REG_DWORD',
    '/d',
    '0xffffffff',
  ]);
  assert.deepEqual(dataArgs({ name: 'n', type: 'REG_QWORD', data: '18446744073709551615' }), [
    '/t',
    'REG_QWORD',
    '/d',
    '0xffffffffffffffff',
  ]);
  assert.deepEqual(dataArgs({ name: 'n', type: 'REG_MULTI_SZ', data: ['a|b', 'c'] }), [
    '/t',
    'REG_MULTI_SZ',
    '/s',
    '~',
    '/d',
    'a|b~c',
  ]);
  assert.match(dataArgs({ name: 'n', type: 'REG_QWORD', data: '18446744073709551616' }) as string, /QWORD/);
  assert.match(dataArgs({ name: 'n', type: 'REG_MULTI_SZ', data: ['a', ''] }) as string, /empty string/);
  assert.match(dataArgs({ name: 'n', type: 'REG_BINARY', data: 'ABC' }) as string, /pairs of hex digits/);
  assert.match(dataArgs({ name: 'n', type: 'REG_NONE', data: '' }) as string, /not edited/);
});

type Answer = { code?: number; stdout?: string | Buffer; stderr?: string };

/** A recorded Windows: reg.exe's answers by argument vector, and every call it saw. */
function recordedReg(answers: Record<string, Answer>) {
  const calls: string[][] = [];
  const run: RawRunner = async (file, args) => {
    assert.equal(file, 'C:\\Windows\\System32\\reg.exe');
    calls.push([...args]);
    // reg export writes the file it is given, as the real one does.
    if (args[0] === 'export') writeFileSync(args[2]!, fixture('reg-export-flxra.reg'));
    const a =
      args[0] === 'export'
        ? {}
        : (answers[args.join(' ')] ?? { code: 1, stderr: `ERROR: no answer recorded for ${args.join(' ')}` });
    const bytes = (s: string | Buffer = '') => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
    return { code: a.code ?? 0, stdout: bytes(a.stdout), stderr: bytes(a.stderr) };
  };
  return { run, calls };
}

const KEY = 'HKLM\\SOFTWARE\\flxra\\Test';
const LISTED = {
  'query HKLM\\SOFTWARE /ve': { stdout: fixture('reg-query-ve-de.cp850.txt') },
  [`query ${KEY}`]: { stdout: fixture('reg-query-types-de.cp850.txt') },
};
const backendOn = (answers: Record<string, Answer>) => {
  const win = recordedReg({ ...LISTED, ...answers });
  const backend = createRegistryBackend('win32', {
    windows: { run: win.run, systemRoot: 'C:\\Windows', codePage: 850 },
  });
  return { backend, calls: win.calls };
};

test('reg.exe backend: a listing with subkeys and the default, then a change that reports the old value', async () => {
  const { backend, calls } = backendOn({
    [`add ${KEY} /ve /t REG_SZ /d Neu /f`]: { stdout: 'Der Vorgang wurde erfolgreich beendet.' },
  });
  const listing = await backend.list(KEY);
  assert.ok(listing.ok);
  assert.deepEqual(listing.value.subkeys, ['Schlüssel mit Leerzeichen', 'Unterschlüssel']);
  assert.equal(listing.value.path, 'HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Test');
  const changed = await runRegistryOp(backend, {
    op: 'set-value',
    key: KEY,
    value: { name: '', type: 'REG_SZ', data: 'Neu' },
  });
  assert.deepEqual(changed, {
    ok: true,
    value: {
      key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Test',
      old: { name: '', type: 'REG_SZ', data: 'Grüße aus Köln' },
    },
  });
  assert.deepEqual(calls.at(-1), ['add', KEY, '/ve', '/t', 'REG_SZ', '/d', 'Neu', '/f']);
});

test('reg.exe backend: rename a value, delete one, rename a key, export, find', async () => {
  const { backend, calls } = backendOn({
    [`add ${KEY} /v Counter /t REG_DWORD /d 0x2a /f`]: {},
    [`delete ${KEY} /v Zähler /f`]: {},
    [`delete ${KEY} /v Daten /f`]: {},
    [`query HKLM\\SOFTWARE\\flxra\\Renamed`]: {
      code: 1,
      stderr: 'FEHLER: Der angegebene Registrierungsschlüssel bzw. Wert wurde nicht gefunden.',
    },
    [`copy ${KEY} HKLM\\SOFTWARE\\flxra\\Renamed /s /f`]: {},
    [`delete ${KEY} /f`]: {},
    [`query HKLM\\SOFTWARE\\flxra /f path /s /k /v`]: { stdout: fixture('reg-query-find-en.txt') },
    [`query HKLM\\SOFTWARE\\flxra /f nothing /s /k /v`]: { code: 1, stdout: 'End of search: 0 match(es) found.\r\n' },
  });
  const renamed = await backend.renameValue(KEY, 'Zähler', 'Counter');
  assert.ok(renamed.ok && renamed.value.old?.type === 'REG_DWORD');
  assert.deepEqual(calls.slice(-2), [
    ['add', KEY, '/v', 'Counter', '/t', 'REG_DWORD', '/d', '0x2a', '/f'],
    ['delete', KEY, '/v', 'Zähler', '/f'],
  ]);
  const deleted = await backend.deleteValue(KEY, 'Daten');
  assert.deepEqual(deleted, {
    ok: true,
    value: {
      key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Test',
      old: { name: 'Daten', type: 'REG_BINARY', data: 'DEADBEEF0001' },
    },
  });
  assert.deepEqual(await backend.renameKey(KEY, 'Renamed'), { ok: true, value: {} });
  const found = await backend.find('HKLM\\SOFTWARE\\flxra', 'path', 'both');
  assert.ok(found.ok);
  assert.deepEqual(
    found.value.map((m) => [m.key.split('\\').pop(), m.value?.name]),
    [
      ['flxra', 'InstallPath'],
      ['Paths', undefined],
      ['Agent', 'LogPath'],
      ['Agent', 'PathCount'],
    ],
  );
  assert.deepEqual(await backend.find('HKLM\\SOFTWARE\\flxra', 'nothing', 'both'), { ok: true, value: [] });
  const exported = await backend.exportKey('HKCU\\Software\\flxra');
  assert.ok(exported.ok);
  assert.match(exported.value.text, /^Windows Registry Editor Version 5\.00\r\n/);
  assert.ok(exported.value.text.includes('@="Standard – Grüße"'), 'decoded from UTF-16LE');
  const [, , file, overwrite] = calls.at(-1)!;
  assert.ok(file!.startsWith(tmpdir()) && overwrite === '/y');
  assert.equal(existsSync(file!), false, 'the temporary file is gone');
});

test('reg.exe backend: missing keys, access denied, wrong types and bad paths are refusals; nothing runs for them', async () => {
  const { backend, calls } = backendOn({
    'query HKCU\\Nope': {
      code: 1,
      stderr: 'ERROR: The system was unable to find the specified registry key or value.',
    },
    'query HKLM\\SAM\\SAM': { code: 1, stderr: 'FEHLER: Zugriff verweigert' },
    'delete HKLM\\SYSTEM\\Locked /f': { code: 1, stderr: 'ERROR: Access is denied.' },
  });
  const missing = await backend.list('HKCU\\Nope');
  assert.deepEqual(missing, {
    ok: false,
    refusal: { code: 'no-such-key', message: 'HKEY_CURRENT_USER\\Nope does not exist.' },
  });
  const denied = await backend.list('HKLM\\SAM\\SAM');
  assert.equal(!denied.ok && denied.refusal.code, 'access-denied');
  const locked = await backend.deleteKey('HKLM\\SYSTEM\\Locked');
  assert.equal(!locked.ok && locked.refusal.code, 'access-denied');
  const before = calls.length;
  const wrong = await backend.setValue(KEY, { name: 'n', type: 'REG_BINARY', data: 'XYZ' } as never);
  assert.equal(!wrong.ok && wrong.refusal.code, 'wrong-type');
  const noValue = await backend.deleteValue(KEY, 'absent');
  assert.equal(!noValue.ok && noValue.refusal.code, 'no-such-value');
  const badPath = await backend.list('HKXX\\Software');
  assert.equal(!badPath.ok && badPath.refusal.code, 'bad-input');
  const hive = await backend.deleteKey('HKLM');
  assert.equal(!hive.ok && hive.refusal.code, 'bad-input');
  assert.deepEqual(
    calls.slice(before).map((c) => c.join(' ')),
    // The default's name is learned once, with the first listing that needs it.
    [`query ${KEY}`, 'query HKLM\\SOFTWARE /ve'],
    'only the listing that showed the value missing ran',
  );
});

test('on Linux the registry tool says there is no registry, for every operation', async () => {
  const backend = createRegistryBackend('linux');
  for (const r of [await backend.hives(), await backend.list('HKLM\\SOFTWARE'), await backend.deleteKey('HKCU\\x')])
    assert.deepEqual(r, { ok: false, refusal: { code: 'no-registry', message: NO_REGISTRY } });
  assert.match(NO_REGISTRY, /^This device has no registry/);
});
