/**
 * File transfer end to end on the Xvfb rig: the operator's real viewer and the host's real page in Chromium, the real
 * files data channel between them, the host's and the operator's main writing real files in their Downloads
 * folders, the real relay deciding each direction and auditing each transfer. Nothing before consent; 50 MB each way
 * with its SHA-256 checked on disk; drag and drop onto the viewer; a name that exists kept (the new one numbered);
 * names refused in words; the policy's size and type limits; a transfer cancelled by the operator and one stopped by
 * the user, no partial file left; a transfer resumed from its offset after the host's connection dropped.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinById } from '../../dev/rig/join-by-id.js';
import { CLOSE_PEER_CHANNELS } from '../../dev/rig/page-probes.js';
import { startSessionRig, type SessionRig } from '../../dev/rig/session-rig.js';
import { eventually, until } from '../../dev/rig/until.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { firstAdmin } from '../fixtures/console.js';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
});
after(() => xvfb?.close());

const MB = 1024 * 1024;
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** A folder of files "on" this computer (the operator's) or the device: both are this machine's disk here. */
function filesIn(dir: string, files: Record<string, Buffer | string>): string {
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
  return dir;
}
const fresh = (label: string) => mkdtempSync(path.join(tmpdir(), `flxra-files-${label}-`));

const row = (page: Page, name: string) => page.locator(`[data-testid=file-transfer][data-name="${name}"]`).last();
async function rowEnds(page: Page, name: string, state: string, timeout = 60_000) {
  await page
    .locator(`[data-testid=file-transfer][data-name="${name}"][data-state="${state}"]`)
    .last()
    .waitFor({ timeout });
  return (await row(page, name).getByTestId('file-status').textContent()) ?? '';
}
/** Bytes done of a transfer as its row's progress bar shows it (percent). */
const percentOf = async (page: Page, name: string) =>
  Number(
    (await row(page, name)
      .locator('progress')
      .getAttribute('value')
      .catch(() => '0')) ?? 0,
  );

async function openFiles(rig: SessionRig) {
  const { host, operator } = rig;
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await operator.page.getByTestId('viewer-toolbar').getByRole('button', { name: 'Files', exact: true }).click({
    timeout: 10_000,
  });
  await operator.page.getByTestId('files-panel').waitFor();
}

const send = (page: Page, ...files: string[]) => page.getByTestId('files-input').setInputFiles(files);

async function fetchFromDevice(page: Page, folder: string, ...names: string[]) {
  await page.getByLabel('Folder on the device').fill(folder);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByTestId('device-path').getByText(folder).waitFor();
  for (const name of names) await page.getByTestId('device-browser').getByLabel(name).check();
  await page.getByRole('button', { name: /^Fetch \d+ from the device/ }).click();
}

/** No temporary (partial) file left in a folder. */
const parts = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.flxra-part'));

type Audited = Record<string, unknown> & { action: string; result: string };
function trailOf(rig: SessionRig, sessionId: string): () => Audited[] {
  return () =>
    rig.relay.handle.audit
      .query({ sessionId })
      .filter((e) => e.action.startsWith('file.'))
      .sort((a, b) => a.id - b.id)
      .map((e) => ({ action: e.action, result: e.result, ...(e.detail as Record<string, unknown>) }));
}

test('files: nothing before consent, 50 MB each way hash-checked on disk, drop, existing names, refusals, limits, audit', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator, relay } = rig;
  const sessionId = await joinById(rig);
  const trail = trailOf(rig, sessionId);

  // Before the user answered: the device refuses, the viewer has no Files button.
  await host.page.getByTestId('consent').waitFor();
  const early = await host.session.files.offerIn({
    id: 'aaaaaaaa-early',
    n: 1,
    name: 'early.txt',
    size: 1,
    sha256: 'a'.repeat(64),
    direction: 'to-device',
  });
  assert.equal(early.ok ? 'ok' : early.code, 'not-active');
  assert.equal(await operator.page.getByRole('button', { name: 'Files', exact: true }).count(), 0);
  await openFiles(rig);

  // 50 MB to the device: chosen in the panel, saved in the user's Downloads, the same bytes on disk.
  const mine = filesIn(fresh('operator'), { 'big-in.bin': randomBytes(50 * MB) });
  let started = Date.now();
  await send(operator.page, path.join(mine, 'big-in.bin'));
  assert.match(await rowEnds(operator.page, 'big-in.bin', 'saved'), /Saved as “big-in.bin”/);
  const inMs = Date.now() - started;
  assert.equal(sha(path.join(host.downloads, 'big-in.bin')), sha(path.join(mine, 'big-in.bin')));
  assert.deepEqual(parts(host.downloads), []);
  // The user saw it in the indicator.
  await host.page.locator('[data-testid=host-transfer][data-name="big-in.bin"][data-state=saved]').waitFor();

  // 50 MB from the device: browsed to, ticked, fetched into the operator's Downloads, the same bytes on disk.
  const device = filesIn(fresh('device'), { 'big-out.bin': randomBytes(50 * MB), 'notes.txt': 'error 0x5\n' });
  started = Date.now();
  await fetchFromDevice(operator.page, device, 'big-out.bin', 'notes.txt');
  await rowEnds(operator.page, 'big-out.bin', 'saved');
  const outMs = Date.now() - started;
  await rowEnds(operator.page, 'notes.txt', 'saved');
  assert.equal(sha(path.join(operator.desktop.downloads, 'big-out.bin')), sha(path.join(device, 'big-out.bin')));
  assert.equal(readFileSync(path.join(operator.desktop.downloads, 'notes.txt'), 'utf8'), 'error 0x5\n');
  assert.deepEqual(parts(operator.desktop.downloads), []);
  console.log(`[files] 50 MB to the device in ${inMs} ms, from it in ${outMs} ms`);

  // Dropped on the viewer: to the device; the same name again is not overwritten, the new one is numbered.
  const drop = async (name: string, text: string) => {
    const dataTransfer = await operator.page.evaluateHandle(
      ([n, s]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([s!], n!, { type: 'text/plain' }));
        return dt;
      },
      [name, text],
    );
    await operator.page.getByTestId('screen-frame').dispatchEvent('dragover', { dataTransfer });
    await operator.page.getByTestId('screen-frame').dispatchEvent('drop', { dataTransfer });
  };
  await drop('dropped.txt', 'first');
  await rowEnds(operator.page, 'dropped.txt', 'saved');
  await drop('dropped.txt', 'second');
  await until('the second one saved', () => readdirSync(host.downloads).includes('dropped (1).txt'));
  assert.match(await rowEnds(operator.page, 'dropped.txt', 'saved'), /Saved as “dropped \(1\)\.txt”.*is there already/);
  assert.equal(readFileSync(path.join(host.downloads, 'dropped.txt'), 'utf8'), 'first');
  assert.equal(readFileSync(path.join(host.downloads, 'dropped (1).txt'), 'utf8'), 'second');

  // Names: a reserved character is refused before anything is sent; the device refuses a path however it comes.
  filesIn(mine, { 'report:2026.txt': 'x' });
  await send(operator.page, path.join(mine, 'report:2026.txt'));
  assert.match(await rowEnds(operator.page, 'report:2026.txt', 'failed'), /contains a character files cannot have/);
  const escape = await host.session.files.offerIn({
    id: 'aaaaaaaa-escape',
    n: 99,
    name: '../escape.txt',
    size: 1,
    sha256: 'a'.repeat(64),
    direction: 'to-device',
  });
  assert.deepEqual(escape.ok ? 'ok' : [escape.code, escape.message], [
    'bad-name',
    "“../escape.txt” names a folder (it contains / or \\): only a file's own name can be sent.",
  ]);
  assert.equal(readdirSync(path.dirname(host.downloads)).includes('escape.txt'), false);

  // The policy's limits: at most 1 MiB, no .exe; refused by the device with the limit in words, nothing written.
  const admin = await firstAdmin(relay);
  const limited = { ...DEFAULT_POLICY, files: { maxBytes: MB, refusedExtensions: ['exe'] } };
  assert.equal((await admin.call('PUT', '/policy', { product: limited, groups: {} })).status, 200);
  await until('the device knows', () => host.session.assist.view.features?.files?.maxBytes === MB);
  filesIn(mine, { 'two.bin': randomBytes(2 * MB), 'setup.exe': 'MZ' });
  await send(operator.page, path.join(mine, 'two.bin'));
  assert.match(
    await rowEnds(operator.page, 'two.bin', 'failed'),
    /is 2\.0 MiB; the policy allows files of at most 1\.0 MiB/,
  );
  await send(operator.page, path.join(mine, 'setup.exe'));
  assert.match(await rowEnds(operator.page, 'setup.exe', 'failed'), /does not allow \.exe files/);
  assert.deepEqual(
    readdirSync(host.downloads).filter((n) => n === 'two.bin' || n === 'setup.exe' || n.endsWith('.flxra-part')),
    [],
  );

  // The policy takes files to the device away: the panel says why; the device refuses.
  const off = { ...DEFAULT_POLICY, capabilities: { 'files.to-device': { operator: false } } };
  assert.equal((await admin.call('PUT', '/policy', { product: off, groups: {} })).status, 200);
  await operator.page
    .getByTestId('files-to-device-refused')
    .getByText(/Files to the device is not allowed for the operator role/)
    .waitFor();

  // Each transfer audited with name, size, direction and hash (the relay never saw a byte).
  await until('audited', () => trail().filter((e) => e.action === 'file.transferred').length === 5);
  // (The two fetched files go one after the other, whichever the device hashed first.)
  const done = trail()
    .filter((e) => e.action === 'file.transferred')
    .sort((a, b) => String(a.name).localeCompare(String(b.name)) || Number(a.size) - Number(b.size));
  assert.deepEqual(
    done.map((e) => [e.direction, e.name, e.size, e.result]),
    [
      ['to-device', 'big-in.bin', 50 * MB, 'ok'],
      ['from-device', 'big-out.bin', 50 * MB, 'ok'],
      ['to-device', 'dropped.txt', 5, 'ok'],
      ['to-device', 'dropped.txt', 6, 'ok'],
      ['from-device', 'notes.txt', 10, 'ok'],
    ],
  );
  assert.equal(done[0]!.sha256, sha(path.join(mine, 'big-in.bin')));
  assert.equal(done[1]!.sha256, sha(path.join(device, 'big-out.bin')));
  const refused = trail().filter((e) => e.action === 'file.stopped' && e.result === 'refused');
  assert.deepEqual(
    refused.map((e) => e.name),
    ['../escape.txt', 'two.bin', 'setup.exe'],
  );
});

test('files: cancelled by the operator and stopped by the user leave nothing; resumed from its offset after the host dropped', async (t) => {
  // An assistance on an enrolled device (its lifecycle's resume brings the host back into it after a drop).
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  const { host, operator } = rig;
  await host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });
  const response = await rig.relay.requestAssistance({ deviceId: host.deviceId!, mode: 'attended' });
  const activation = path.join(fresh('activation'), response.activation.fileName);
  writeFileSync(activation, response.activation.content);
  await operator.controller.openFile(activation);
  await operator.page.getByRole('button', { name: 'The fingerprints match: trust it' }).click();
  const sessionId = response.sessionId;
  const trail = trailOf(rig, sessionId);
  await host.page.getByTestId('consent').waitFor();
  await openFiles(rig);
  const mine = filesIn(fresh('operator'), {
    'cancel-me.bin': randomBytes(20 * MB),
    'resume-me.bin': randomBytes(50 * MB),
  });
  const device = filesIn(fresh('device'), { 'stop-me.bin': randomBytes(20 * MB) });

  // The operator cancels mid-way: the device removes what it wrote; nothing under the final name.
  await send(operator.page, path.join(mine, 'cancel-me.bin'));
  await eventually('under way', async () => (await percentOf(operator.page, 'cancel-me.bin')) >= 5, {
    timeoutMs: 20_000,
  });
  await row(operator.page, 'cancel-me.bin').getByRole('button', { name: 'Cancel' }).click();
  assert.match(await rowEnds(operator.page, 'cancel-me.bin', 'cancelled'), /Cancelled by the operator/);
  await until('nothing left on the device', () => readdirSync(host.downloads).length === 0, {
    seen: () => readdirSync(host.downloads),
  });

  // The user stops a fetch from the indicator: the operator is told; nothing left on the operator's side.
  await fetchFromDevice(operator.page, device, 'stop-me.bin');
  await eventually('fetch under way', async () => (await percentOf(operator.page, 'stop-me.bin')) >= 5, {
    timeoutMs: 20_000,
  });
  await host.page
    .locator('[data-testid=host-transfer][data-name="stop-me.bin"]')
    .getByRole('button', { name: 'Stop' })
    .click();
  assert.match(await rowEnds(operator.page, 'stop-me.bin', 'cancelled'), /Stopped by the user of the device/);
  await until('nothing left with the operator', () => readdirSync(operator.desktop.downloads).length === 0, {
    seen: () => readdirSync(operator.desktop.downloads),
  });

  // The host's connection drops mid-way: its relay connection (it comes back into the assistance with its resume
  // token), then its peer's transport, as a lost network ends it (the page's channels closed under it). The host page
  // makes a fresh peer; on its files channel the same transfer is offered again and goes on from what the device had
  // written, and arrives whole. (Both at once hits a race of the host page's peer reset, reported apart: two fresh
  // peers, the operator's answer to the first reaching the second.)
  await send(operator.page, path.join(mine, 'resume-me.bin'));
  await eventually('under way', async () => (await percentOf(operator.page, 'resume-me.bin')) >= 5, {
    timeoutMs: 20_000,
  });
  host.session.dropConnection();
  await until('the host reconnecting', () => host.states.some((s) => s.status === 'active' && s.reconnecting));
  await until('the host back', () => host.session.state.status === 'active' && !host.session.state.reconnecting, {
    timeoutMs: 10_000,
  });
  assert.ok((await host.page.evaluate<number>(CLOSE_PEER_CHANNELS)) > 0, 'the peer had open channels');
  await row(operator.page, 'resume-me.bin').and(operator.page.locator('[data-state=paused]')).waitFor();
  await rowEnds(operator.page, 'resume-me.bin', 'saved', 60_000);
  assert.equal(sha(path.join(host.downloads, 'resume-me.bin')), sha(path.join(mine, 'resume-me.bin')));
  assert.deepEqual(parts(host.downloads), []);

  await until('audited', () => trail().some((e) => e.action === 'file.transferred' && e.name === 'resume-me.bin'));
  const of = (name: string) => trail().filter((e) => e.name === name);
  const resumed = of('resume-me.bin').filter((e) => e.action === 'file.started');
  assert.equal(resumed.length, 2, 'started, then resumed');
  assert.ok(Number(resumed[1]!.resumedAt) > 0 && Number(resumed[1]!.resumedAt) < 50 * MB, 'resumed from its offset');
  assert.deepEqual(
    of('cancel-me.bin').map((e) => [e.action, e.result]),
    [
      ['file.started', 'ok'],
      ['file.stopped', 'cancelled'],
    ],
  );
  assert.deepEqual(
    of('stop-me.bin').map((e) => [e.action, e.result, e.message]),
    [
      ['file.started', 'ok', undefined],
      ['file.stopped', 'cancelled', 'Stopped by the user of the device.'],
    ],
  );
});
