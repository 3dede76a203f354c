/**
 * The registry editor's changes through the Flexxible Tools' panel, end to end in Chromium on the Xvfb rig, on a
 * recorded Windows (the real reg.exe backend replaying reg.exe's answers of one session,
 * test/platform/fixtures/reg-session-edit-en.txt): a key created, renamed and deleted; a value of each editable type
 * created through its form, one renamed and deleted; each change only after "Yes" in its confirmation, and "Cancel"
 * runs nothing (the reg.exe argument vectors the backend ran are asserted); find by name lists the matches and a
 * match goes to its key with the value marked; a key that vanished and a change reg.exe answers "Access is denied"
 * are told in the panel's words, and nothing changes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { recordedRegistry } from '../fixtures/recorded-registry.js';
import { openToolsSession } from '../fixtures/tools-session.js';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 800 });
});
after(() => xvfb?.close());

const FLXRA = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra';
const CHANGE = new Set(['add', 'delete', 'copy']);
const changesIn = (calls: string[][]) => calls.filter((c) => CHANGE.has(c[0]!));

test('registry keys and values created, renamed and deleted only after "Yes"; find; a vanished key, access denied', async (t) => {
  const windows = recordedRegistry('reg-session-edit-en.txt', 437);
  const { page, panel } = await openToolsSession(t, xvfb.display, { backends: { registry: windows.backend } });
  await panel.getByRole('button', { name: 'Registry', exact: true }).click();

  const key = (name: string) => page.locator('.tree-key', { hasText: new RegExp(`^. ${name}$`) });
  const heading = page.locator('.registry-values h3');
  const shown = (path: string) => heading.getByText(path, { exact: true }).waitFor();
  const values = page.locator('table.values');
  const row = (name: string) => values.locator('tr', { has: page.getByRole('cell', { name, exact: true }) });
  const notice = (text: string) => page.getByTestId('tool-notice').getByText(text, { exact: true }).waitFor();
  const problem = (text: string) => page.getByTestId('tool-problem').getByText(text, { exact: true }).waitFor();
  const dialog = page.getByRole('alertdialog', { name: 'Confirm the registry change' });
  const named = async (label: string, name: string) => {
    const form = page.getByRole('form', { name: label });
    await form.getByRole('textbox').fill(name);
    await form.getByRole('button', { name: 'OK' }).click();
  };

  /**
   * `act` brings up the confirmation `question`: "Cancel" first, then `act` again and "Yes". The reg.exe changes run
   * from before "Cancel" until `settled` (the panel shows the outcome) are returned: "Cancel" ran none of them.
   */
  async function confirmed(question: string, act: () => Promise<void>, settled: () => Promise<unknown>) {
    const from = windows.calls.length;
    await act();
    await dialog.getByText(question, { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(windows.calls.slice(from), [], `"Cancel" ran nothing: ${question}`);
    await act();
    await dialog.getByText(question, { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await settled();
    return changesIn(windows.calls.slice(from));
  }

  for (const name of ['HKEY_LOCAL_MACHINE', 'SOFTWARE', 'flxra']) await key(name).click();
  await shown(FLXRA);
  await row('InstallPath').waitFor();

  // A key: created, seen in the tree.
  const created = await confirmed(
    `Create the key ${FLXRA}\\Staging?`,
    async () => {
      await page.getByRole('button', { name: 'New key' }).click();
      await named('Name of the new key', 'Staging');
    },
    () => Promise.all([notice('Created the key Staging.'), key('Staging').waitFor()]),
  );
  assert.deepEqual(created, [['add', 'HKLM\\SOFTWARE\\flxra\\Staging', '/f']]);

  // Renamed: reg.exe has no rename, so a copy and the original deleted; the tree shows the new name only.
  await key('Staging').click();
  await shown(`${FLXRA}\\Staging`);
  const renamed = await confirmed(
    `Rename ${FLXRA}\\Staging to Current?`,
    async () => {
      await page.getByRole('button', { name: 'Rename key' }).click();
      await named('New name of the key', 'Current');
    },
    () => Promise.all([notice('Renamed the key to Current.'), key('Current').waitFor(), shown(FLXRA)]),
  );
  assert.deepEqual(renamed, [
    ['copy', 'HKLM\\SOFTWARE\\flxra\\Staging', 'HKLM\\SOFTWARE\\flxra\\Current', '/s', '/f'],
    ['delete', 'HKLM\\SOFTWARE\\flxra\\Staging', '/f'],
  ]);
  assert.equal(await key('Staging').count(), 0);

  // A value of each editable type, through its form.
  await key('Current').click();
  await shown(`${FLXRA}\\Current`);
  const form = page.getByRole('form', { name: 'Value' });
  const fillForm = async (name: string, type: string, text: string) => {
    await page.getByRole('button', { name: 'New value' }).click();
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Type').selectOption(type);
    await form.getByLabel('Data').fill(text);
    await form.getByRole('button', { name: 'Save' }).click();
  };
  const kinds = [
    { name: 'Greeting', type: 'REG_SZ', text: 'Hello, world', data: ['/d', 'Hello, world'], shown: 'Hello, world' },
    {
      name: 'Servers',
      type: 'REG_MULTI_SZ',
      text: 'alpha\nbeta gamma',
      data: ['/s', '|', '/d', 'alpha|beta gamma'],
      shown: 'alpha · beta gamma',
    },
    {
      name: 'InstallDir',
      type: 'REG_EXPAND_SZ',
      text: '%ProgramFiles%\\flxra',
      data: ['/d', '%ProgramFiles%\\flxra'],
      shown: '%ProgramFiles%\\flxra',
    },
    { name: 'Retries', type: 'REG_DWORD', text: '42', data: ['/d', '0x2a'], shown: '0x0000002a (42)' },
    {
      name: 'Quota',
      type: 'REG_QWORD',
      text: '0x100000000',
      data: ['/d', '0x100000000'],
      shown: '0x0000000100000000 (4294967296)',
    },
    { name: 'Blob', type: 'REG_BINARY', text: 'de ad be ef 01', data: ['/d', 'DEADBEEF01'], shown: 'DE AD BE EF 01' },
  ];
  for (const v of kinds) {
    if (v.type === 'REG_BINARY') {
      // Data its type cannot hold never leaves the page.
      const from = windows.calls.length;
      await fillForm(v.name, v.type, 'not hex');
      await problem('Binary data is pairs of hex digits (0–9, A–F), e.g. "01 A0 FF".');
      assert.equal(await dialog.count(), 0);
      assert.deepEqual(windows.calls.slice(from), []);
    }
    const ran = await confirmed(
      `Create the value "${v.name}" in ${FLXRA}\\Current?`,
      () => fillForm(v.name, v.type, v.text),
      () => Promise.all([notice(`Saved ${v.name}.`), row(v.name).waitFor()]),
    );
    assert.deepEqual(ran, [['add', 'HKLM\\SOFTWARE\\flxra\\Current', '/v', v.name, '/t', v.type, ...v.data, '/f']]);
    assert.equal(
      (await row(v.name).textContent())?.replace(/(Edit)?RenameDelete$/, ''),
      `${v.name}${v.type}${v.shown}`,
    );
    assert.equal(await form.count(), 0, 'the form closes once saved');
  }

  // A value renamed (written under the new name, the old one deleted), then deleted.
  const renamedValue = await confirmed(
    'Rename the value "Greeting" to "Welcome"?',
    async () => {
      await row('Greeting').getByRole('button', { name: 'Rename' }).click();
      await named('New name of the value', 'Welcome');
    },
    () => Promise.all([notice('Renamed Greeting to Welcome.'), row('Welcome').waitFor()]),
  );
  assert.deepEqual(renamedValue, [
    ['add', 'HKLM\\SOFTWARE\\flxra\\Current', '/v', 'Welcome', '/t', 'REG_SZ', '/d', 'Hello, world', '/f'],
    ['delete', 'HKLM\\SOFTWARE\\flxra\\Current', '/v', 'Greeting', '/f'],
  ]);
  assert.equal(await row('Greeting').count(), 0);
  assert.match((await row('Welcome').textContent()) ?? '', /^WelcomeREG_SZHello, world/);
  const deletedValue = await confirmed(
    'Delete the value "Welcome"?',
    () => row('Welcome').getByRole('button', { name: 'Delete' }).click(),
    () => Promise.all([notice('Deleted Welcome.'), row('Welcome').waitFor({ state: 'detached' })]),
  );
  assert.deepEqual(deletedValue, [['delete', 'HKLM\\SOFTWARE\\flxra\\Current', '/v', 'Welcome', '/f']]);
  assert.equal(await values.locator('tbody tr').count(), kinds.length - 1);

  // The key deleted: gone from the tree, its parent shown.
  const deletedKey = await confirmed(
    `Delete ${FLXRA}\\Current and everything under it?`,
    () => page.getByRole('button', { name: 'Delete key' }).click(),
    () => Promise.all([notice(`Deleted the key ${FLXRA}\\Current.`), key('Current').waitFor({ state: 'detached' })]),
  );
  assert.deepEqual(deletedKey, [['delete', 'HKLM\\SOFTWARE\\flxra\\Current', '/f']]);
  await shown(FLXRA);

  // Find by name: nothing; then the matches (keys and values), and a match goes to its key, the value marked.
  const changesBeforeFind = changesIn(windows.calls).length;
  const found = page.getByRole('list', { name: 'Found' });
  await page.getByLabel('Find by name').fill('Nonexistent');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await found.getByText('Nothing found.').waitFor();
  await page.getByLabel('Find by name').fill('Path');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await found.getByRole('button').first().waitFor();
  assert.deepEqual(await found.getByRole('button').allTextContents(), [
    `${FLXRA} → InstallPath`,
    `${FLXRA}\\Paths`,
    `${FLXRA}\\Agent → LogPath`,
    `${FLXRA}\\Agent → PathCount`,
  ]);
  assert.deepEqual(windows.calls.at(-1), ['query', 'HKLM\\SOFTWARE\\flxra', '/f', 'Path', '/s', '/k', '/v']);
  await found.getByRole('button', { name: `${FLXRA}\\Agent → PathCount` }).click();
  await shown(`${FLXRA}\\Agent`);
  const marked = values.locator('tr[aria-current="true"]');
  await marked.waitFor();
  assert.equal(await marked.count(), 1);
  assert.match((await marked.textContent()) ?? '', /^PathCountREG_DWORD0x00000003 \(3\)/);

  // A key that vanished since its parent was listed: said so; the shown key stays.
  await key('Update').click();
  await problem(`${FLXRA}\\Update does not exist.`);
  await shown(`${FLXRA}\\Agent`);
  await row('PathCount').waitFor();

  // A change reg.exe refuses ("ERROR: Access is denied."): said in the panel's words, and the value is still there.
  await key('Locked').click();
  await shown(`${FLXRA}\\Locked`);
  const denied = await confirmed(
    'Delete the value "Policy"?',
    () => row('Policy').getByRole('button', { name: 'Delete' }).click(),
    () => problem(`The agent's account may not do this to ${FLXRA}\\Locked.`),
  );
  assert.deepEqual(denied, [['delete', 'HKLM\\SOFTWARE\\flxra\\Locked', '/v', 'Policy', '/f']]);
  assert.equal(await page.getByTestId('tool-notice').count(), 0, 'no older "Deleted…" notice beside the refusal');
  assert.match((await row('Policy').textContent()) ?? '', /^PolicyREG_DWORD0x00000001 \(1\)/);
  assert.equal(changesIn(windows.calls).length, changesBeforeFind + 1, 'find and the vanished key changed nothing');

  // Every change the session recorded ran, in its order, and nothing the recording lacks was asked of reg.exe.
  assert.deepEqual(windows.unexpected, []);
  assert.deepEqual(windows.changesLeft(), []);
});
