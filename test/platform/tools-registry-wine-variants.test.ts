/**
 * The registry parsers on what Wine 8's reg.exe prints where it differs from Windows' (recorded under Wine, the
 * Windows test tier's reg.exe): a QWORD's data shown as "(null)" is named as unprinted instead of failing the
 * listing, and the in-process search over an export that stands in for Wine's missing `query /f` finds what Windows'
 * search finds on the recorded Windows export. The recorded Windows outputs stay the reference
 * (tools-registry.test.ts); the backend under Wine itself is test/windows/registry-wine.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeRegFile, parseRegFile } from '../../src/platform/tools/registry/reg-file.js';
import { parseRegQuery } from '../../src/platform/tools/registry/reg-query.js';
import { searchRegFile } from '../../src/platform/tools/registry/reg-search.js';

// `reg query HKCU\Software\flxt` under Wine 8.0, verbatim.
const WINE_LISTING = [
  '',
  'HKEY_CURRENT_USER\\Software\\flxt',
  '    (Default)    REG_SZ    def',
  '    D    REG_DWORD    0x2a',
  '    Empty    REG_SZ    ',
  '    Q    REG_QWORD    (null)',
  '',
  'HKEY_CURRENT_USER\\Software\\flxt\\sub',
  '',
].join('\r\n');

test("Wine's QWORD shown as (null) is named as unprinted; the other values read as on Windows", () => {
  const parsed = parseRegQuery(WINE_LISTING);
  assert.ok('keys' in parsed);
  assert.deepEqual(parsed.keys, [
    {
      key: 'HKEY_CURRENT_USER\\Software\\flxt',
      values: [
        { name: '', type: 'REG_SZ', data: 'def' },
        { name: 'D', type: 'REG_DWORD', data: 42 },
        { name: 'Empty', type: 'REG_SZ', data: '' },
      ],
      unprinted: ['Q'],
    },
    { key: 'HKEY_CURRENT_USER\\Software\\flxt\\sub', values: [], unprinted: [] },
  ]);
  // Any other text where a QWORD's data belongs is still an error.
  assert.deepEqual(parseRegQuery('HKEY_CURRENT_USER\\X\r\n    Q    REG_QWORD    null\r\n'), {
    error: 'Q: "null" is not a QWORD',
  });
});

test('the search over an export finds subkeys and values by name, wildcards as reg.exe reads them', () => {
  const file = parseRegFile(decodeRegFile(readFileSync(new URL('./fixtures/reg-export-flxra.reg', import.meta.url))));
  assert.ok('keys' in file);
  const base = file.keys[0]!.key;
  const all = searchRegFile(file.keys, base, 'a', 'both');
  assert.ok(all.length > 0);
  for (const m of all) {
    assert.ok(m.key === base || m.key.startsWith(`${base}\\`));
    const name = m.value ? m.value.name : m.key.slice(m.key.lastIndexOf('\\') + 1);
    assert.match(name, /a/i);
  }
  assert.ok(searchRegFile(file.keys, base, 'a', 'keys').every((m) => !m.value));
  assert.ok(searchRegFile(file.keys, base, 'a', 'values').every((m) => m.value));
  assert.deepEqual(searchRegFile(file.keys, base, 'no-such-name-*', 'both'), []);
  const keys = [
    { key: 'HKEY_CURRENT_USER\\S', values: [{ name: 'Path', type: 'REG_SZ' as const, data: '' }] },
    { key: 'HKEY_CURRENT_USER\\S\\Paths', values: [] },
    { key: 'HKEY_CURRENT_USER\\S\\Other', values: [{ name: 'PathCount', type: 'REG_DWORD' as const, data: 3 }] },
    { key: 'HKEY_CURRENT_USER\\Sibling\\Path', values: [] },
  ];
  assert.deepEqual(
    searchRegFile(keys, 'HKEY_CURRENT_USER\\S', 'path', 'both').map((m) => [m.key, m.value?.name]),
    [
      ['HKEY_CURRENT_USER\\S', 'Path'],
      ['HKEY_CURRENT_USER\\S\\Paths', undefined],
      ['HKEY_CURRENT_USER\\S\\Other', 'PathCount'],
    ],
  );
  assert.deepEqual(
    searchRegFile(keys, 'HKEY_CURRENT_USER\\S', 'Path', 'values').map((m) => m.value?.name),
    ['Path', 'PathCount'],
  );
  assert.deepEqual(
    searchRegFile(keys, 'HKEY_CURRENT_USER\\S', 'p?th', 'both').map((m) => m.key),
    ['HKEY_CURRENT_USER\\S'],
  );
});
