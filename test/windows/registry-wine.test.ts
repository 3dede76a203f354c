/**
 * The tools panel's registry backend (src/platform/tools/registry/windows.ts, reg.exe by full path) run for real
 * under Wine's node.exe against Wine's registry: create, read, change, rename, search, export and delete round
 * trips, each change read back by Wine's own reg.exe from outside the backend. Wine's reg.exe words things
 * differently from Windows' (messages on stdout after "reg: ", QWORDs printed as "(null)", no `query /f`): these
 * tests are what shows the backend copes; the recorded Windows outputs stay the parsers' reference
 * (test/platform/tools-registry.test.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { startWineSession, type WineSession } from '../../dev/wine/wine-session.js';
import type { RegistryOp } from '../../src/shared/tools-protocol.js';
import type { ToolResult } from '../../src/shared/tools-results.js';

const PROBE = 'test/windows/probes/registry-probe.ts';
const KEY = `HKCU\\Software\\flxra-test-${randomBytes(4).toString('hex')}`;
const LONG = KEY.replace(/^HKCU/, 'HKEY_CURRENT_USER');
let xvfb: Xvfb;
let wine: WineSession;

const ops = (list: RegistryOp[]) => wine.runNode<ToolResult<unknown>[]>(PROBE, { ops: list });
/** The registry as Wine's reg.exe itself sees it, not through the backend. */
const regQuery = (key: string) => wine.runExe('reg.exe', ['query', key]);

before(async () => {
  xvfb = await startXvfb({ width: 800, height: 600 });
  wine = await startWineSession({ display: xvfb.display });
});

after(async () => {
  await wine?.runExe('reg.exe', ['delete', KEY, '/f']).catch(() => undefined);
  await wine?.close();
  await xvfb?.close();
});

test("values of every editable type are written, read back exactly, changed and renamed in Wine's registry", async () => {
  const answers = await ops([
    { op: 'create-key', key: KEY },
    { op: 'create-key', key: `${KEY}\\Paths` },
    { op: 'set-value', key: KEY, value: { name: 'Greeting', type: 'REG_SZ', data: 'Grüße aus Köln ✓ "quoted" \\x' } },
    { op: 'set-value', key: KEY, value: { name: 'Path', type: 'REG_EXPAND_SZ', data: '%ProgramData%\\flxra' } },
    { op: 'set-value', key: KEY, value: { name: 'List', type: 'REG_MULTI_SZ', data: ['eins', 'zwei | drei'] } },
    { op: 'set-value', key: KEY, value: { name: 'Count', type: 'REG_DWORD', data: 42 } },
    { op: 'set-value', key: KEY, value: { name: 'Big', type: 'REG_QWORD', data: '18446744073709551615' } },
    { op: 'set-value', key: KEY, value: { name: 'Blob', type: 'REG_BINARY', data: 'DEADBEEF00' } },
    { op: 'set-value', key: KEY, value: { name: '', type: 'REG_SZ', data: 'the default' } },
    { op: 'list', key: KEY },
    { op: 'set-value', key: KEY, value: { name: 'Count', type: 'REG_DWORD', data: 4294967295 } },
    { op: 'rename-value', key: KEY, name: 'Big', newName: 'Bigger' },
    { op: 'rename-key', key: `${KEY}\\Paths`, newName: 'Routes' },
    { op: 'list', key: KEY },
  ]);
  const [createdKey, createdSub, ...rest] = answers;
  assert.deepEqual(
    [createdKey, createdSub],
    [
      { ok: true, value: {} },
      { ok: true, value: {} },
    ],
  );
  // Six new values: nothing replaced, so no old value for the audit.
  assert.deepEqual(rest.slice(0, 6), Array(6).fill({ ok: true, value: { key: LONG } }));
  // Wine's `reg add KEY` gives a new key an empty default value (Windows leaves it unset): the audit says so.
  assert.deepEqual(rest[6], { ok: true, value: { key: LONG, old: { name: '', type: 'REG_SZ', data: '' } } });
  const written = [
    { name: '', type: 'REG_SZ', data: 'the default' },
    { name: 'Big', type: 'REG_QWORD', data: '18446744073709551615' },
    { name: 'Blob', type: 'REG_BINARY', data: 'DEADBEEF00' },
    { name: 'Count', type: 'REG_DWORD', data: 42 },
    { name: 'Greeting', type: 'REG_SZ', data: 'Grüße aus Köln ✓ "quoted" \\x' },
    { name: 'List', type: 'REG_MULTI_SZ', data: ['eins', 'zwei | drei'] },
    { name: 'Path', type: 'REG_EXPAND_SZ', data: '%ProgramData%\\flxra' },
  ];
  assert.deepEqual(rest[7], { ok: true, value: { path: LONG, subkeys: ['Paths'], values: written } });
  assert.deepEqual(rest[8], { ok: true, value: { key: LONG, old: { name: 'Count', type: 'REG_DWORD', data: 42 } } });
  assert.deepEqual(rest[9], { ok: true, value: { key: LONG, old: written[1] } });
  assert.deepEqual(rest[10], { ok: true, value: {} });
  assert.deepEqual(rest[11], {
    ok: true,
    value: {
      path: LONG,
      subkeys: ['Routes'],
      values: [
        written[0],
        { name: 'Bigger', type: 'REG_QWORD', data: '18446744073709551615' },
        written[2],
        { name: 'Count', type: 'REG_DWORD', data: 4294967295 },
        ...written.slice(4),
      ],
    },
  });

  // Wine's reg.exe, outside the backend, sees the same registry.
  const seen = await regQuery(KEY);
  assert.equal(seen.code, 0, seen.stdout);
  assert.match(seen.stdout, /^ {4}Count {4}REG_DWORD {4}0xffffffff\r?$/m);
  assert.match(seen.stdout, /^ {4}List {4}REG_MULTI_SZ {4}eins\\0zwei \| drei\r?$/m);
  assert.match(seen.stdout, /^ {4}Bigger {4}REG_QWORD/m);
  assert.doesNotMatch(seen.stdout, /^ {4}Big {4}/m);
  assert.match(seen.stdout, /\\Routes\r?$/m);
  assert.equal((await regQuery(`${KEY}\\Paths`)).code, 1, 'the renamed key is gone under its old name');
});

test('a search finds keys and values by name; an export is the .reg file; deletes remove what they name', async () => {
  const answers = await ops([
    { op: 'find', key: KEY, text: 'OU', in: 'both' },
    { op: 'find', key: KEY, text: 'OU', in: 'keys' },
    { op: 'find', key: KEY, text: 'b*', in: 'values' },
    { op: 'export', key: KEY },
    { op: 'delete-value', key: KEY, name: 'Greeting' },
    { op: 'delete-key', key: `${KEY}\\Routes` },
    { op: 'list', key: KEY },
  ]);
  const [both, keys, values, exported, deletedValue, deletedKey, listed] = answers;
  assert.deepEqual(both, {
    ok: true,
    value: [{ key: LONG, value: { name: 'Count', type: 'REG_DWORD', data: 4294967295 } }, { key: `${LONG}\\Routes` }],
  });
  assert.deepEqual(keys, { ok: true, value: [{ key: `${LONG}\\Routes` }] });
  assert.deepEqual(values, {
    ok: true,
    value: [
      { key: LONG, value: { name: 'Bigger', type: 'REG_QWORD', data: '18446744073709551615' } },
      { key: LONG, value: { name: 'Blob', type: 'REG_BINARY', data: 'DEADBEEF00' } },
    ],
  });
  assert.ok(exported?.ok);
  const text = (exported.value as { text: string }).text;
  assert.match(text, /^Windows Registry Editor Version 5\.00\r\n/);
  for (const line of [
    `[${LONG}]`,
    '@="the default"',
    '"Count"=dword:ffffffff',
    '"Bigger"=hex(b):ff,ff,ff,ff,ff,ff,ff,ff',
    '"Greeting"="Grüße aus Köln ✓ \\"quoted\\" \\\\x"',
    `[${LONG}\\Routes]`,
  ])
    assert.ok(text.split('\r\n').includes(line), `the export has ${line}\n${text}`);
  assert.deepEqual(deletedValue, {
    ok: true,
    value: { key: LONG, old: { name: 'Greeting', type: 'REG_SZ', data: 'Grüße aus Köln ✓ "quoted" \\x' } },
  });
  assert.deepEqual(deletedKey, { ok: true, value: {} });
  assert.ok(listed?.ok);
  assert.deepEqual((listed.value as { subkeys: string[] }).subkeys, []);
  assert.ok(!(listed.value as { values: { name: string }[] }).values.some((v) => v.name === 'Greeting'));

  const seen = await regQuery(KEY);
  assert.doesNotMatch(seen.stdout, /Greeting|Routes/);

  const [gone] = await ops([{ op: 'delete-key', key: KEY }]);
  assert.deepEqual(gone, { ok: true, value: {} });
  assert.equal((await regQuery(KEY)).code, 1, "Wine's reg.exe no longer finds the deleted key");
});

test("what cannot be done is a refusal in the operator's words, read from Wine's reg.exe", async () => {
  const missing = `${KEY}-missing`;
  const answers = await ops([
    { op: 'list', key: missing },
    { op: 'delete-key', key: missing },
    { op: 'export', key: missing },
    { op: 'find', key: missing, text: 'x', in: 'both' },
    { op: 'create-key', key: 'HKCU\\Software' },
    { op: 'delete-value', key: 'HKCU\\Software', name: 'flxra-no-such-value' },
    { op: 'set-value', key: 'HKCU\\Software', value: { name: 'x', type: 'REG_DWORD', data: -1 } },
  ]);
  const longMissing = missing.replace(/^HKCU/, 'HKEY_CURRENT_USER');
  const noKey = { ok: false, refusal: { code: 'no-such-key', message: `${longMissing} does not exist.` } };
  assert.deepEqual(answers.slice(0, 4), [noKey, noKey, noKey, noKey]);
  assert.deepEqual(answers[4], {
    ok: false,
    refusal: { code: 'bad-input', message: 'HKEY_CURRENT_USER\\Software already exists.' },
  });
  assert.deepEqual(answers[5], {
    ok: false,
    refusal: { code: 'no-such-value', message: 'HKEY_CURRENT_USER\\Software has no value "flxra-no-such-value".' },
  });
  assert.equal((answers[6] as { refusal?: { code: string } }).refusal?.code, 'wrong-type');
});
