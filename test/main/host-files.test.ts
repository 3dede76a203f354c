/**
 * The host's decisions on file transfers (src/main/host/host-files.ts) on real folders, for what the end-to-end test
 * does not reach: a fetched file that vanishes or changes while it is sent fails in words; a folder listing is
 * bounded; during unattended assistance files to the device go to the policy's folder, and are refused where it
 * names none; a name with a path is refused; each start and end is reported for the audit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { HostFiles } from '../../src/main/host/host-files.js';
import type { SessionFeatures } from '../../src/shared/assist-protocol.js';
import { FILE_LIST_MAX, FILES_DEFAULTS, type FilesReport } from '../../src/shared/file-transfer.js';
import type { HostState } from '../../src/shared/ipc.js';

const SESSION = '123456789';
function hostFiles(opts: { unattended?: boolean; unattendedFolder?: string } = {}) {
  const state: HostState = {
    status: 'active',
    sessionId: SESSION,
    operator: { id: 'op', name: 'Op', organisation: 'Help desk' },
    mode: 'control',
    ...(opts.unattended ? { unattended: true } : {}),
    verification: { required: false, words: null, confirmed: false, controlPending: false },
  };
  const features: SessionFeatures = {
    sessionId: SESSION,
    clipboardToDevice: { allowed: true },
    clipboardFromDevice: { allowed: true },
    chat: { allowed: true },
    controlRequest: { allowed: true },
    specialKeys: { allowed: true },
    otherDisplays: { allowed: true },
    files: {
      toDevice: { allowed: true },
      fromDevice: { allowed: true },
      ...FILES_DEFAULTS,
      ...(opts.unattendedFolder ? { unattendedFolder: opts.unattendedFolder } : {}),
    },
  };
  const reports: FilesReport[] = [];
  const files = new HostFiles({
    state: () => state,
    features: () => features,
    report: (r) => reports.push(r),
    show: () => undefined,
    stopped: () => undefined,
    downloads: mkdtempSync(path.join(tmpdir(), 'flxra-host-files-dl-')),
  });
  files.onState(state);
  return { files, reports };
}

test('a fetched file that vanishes or changes while it is sent: said in words, reported as failed', async (t) => {
  const { files, reports } = hostFiles();
  t.after(() => files.stop());
  const dir = mkdtempSync(path.join(tmpdir(), 'flxra-host-files-'));
  const file = path.join(dir, 'app.log');
  writeFileSync(file, 'x'.repeat(100_000));
  const fetched = await files.fetch('abcdefgh-0001', file, 1);
  assert.equal(fetched.ok, true);
  assert.equal((await files.read('abcdefgh-0001', 0, 65536)).ok, true);
  rmSync(file);
  const read = await files.read('abcdefgh-0001', 65536, 65536);
  assert.deepEqual(read.ok ? 'ok' : [read.code, read.message], [
    'vanished',
    `${file} vanished on the device while it was sent.`,
  ]);
  assert.deepEqual(
    reports.map((r) => [r.event, r.name, r.size]),
    [
      ['started', 'app.log', 100_000],
      ['failed', 'app.log', 100_000],
    ],
  );

  writeFileSync(file, 'first');
  assert.equal((await files.fetch('abcdefgh-0002', file, 2)).ok, true);
  writeFileSync(file, 'changed!');
  const changed = await files.read('abcdefgh-0002', 0, 100);
  assert.match(changed.ok ? '' : changed.message, /changed on the device while it was sent/);
  const gone = await files.fetch('abcdefgh-0003', path.join(dir, 'none.log'), 3);
  assert.deepEqual(gone.ok ? 'ok' : gone.code, 'vanished');
});

test('a folder listing is bounded, folders first; the rest counted', async (t) => {
  const { files } = hostFiles();
  t.after(() => files.stop());
  const dir = mkdtempSync(path.join(tmpdir(), 'flxra-host-list-'));
  for (let i = 0; i < FILE_LIST_MAX + 7; i++) writeFileSync(path.join(dir, `f${i}.txt`), 'x');
  const listed = await files.listFolder(dir);
  assert.ok(listed.ok);
  assert.equal(listed.listing.entries.length, FILE_LIST_MAX);
  assert.equal(listed.listing.more, 7);
  assert.equal(listed.listing.parent, path.dirname(dir));
  const missing = await files.listFolder(path.join(dir, 'nope'));
  assert.deepEqual(missing.ok ? 'ok' : missing.code, 'not-found');
});

test("unattended: files to the device only into the policy's folder; a name with a path refused", async (t) => {
  const offer = (id: string, name = 'tool.zip') => ({
    id,
    n: 1,
    name,
    size: 3,
    sha256: 'a'.repeat(64),
    direction: 'to-device' as const,
  });
  const none = hostFiles({ unattended: true });
  t.after(() => none.files.stop());
  const refused = await none.files.offerIn(offer('abcdefgh-0001'));
  assert.equal(
    refused.ok ? 'ok' : refused.message,
    'Nobody is signed in at the device and the policy names no folder for files: none can be sent.',
  );
  const folder = mkdtempSync(path.join(tmpdir(), 'flxra-unattended-'));
  const named = hostFiles({ unattended: true, unattendedFolder: folder });
  t.after(() => named.files.stop());
  const accepted = await named.files.offerIn({ ...offer('abcdefgh-0002'), folder: '/somewhere/else' });
  assert.deepEqual(accepted, { ok: true, offset: 0, savedAs: 'tool.zip' });
  // Into the policy's folder, whatever folder the operator named.
  assert.equal(readdirSync(folder).filter((n) => n.endsWith('.flxra-part')).length, 1);
  await named.files.cancel('abcdefgh-0002', 'test over');
  const bad = await named.files.offerIn(offer('abcdefgh-0003', 'C:\\Windows\\evil.dll'));
  assert.deepEqual(bad.ok ? 'ok' : bad.code, 'bad-name');
  assert.deepEqual(
    named.reports.map((r) => r.event),
    ['started', 'cancelled', 'refused'],
  );
});
