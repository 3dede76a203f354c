/**
 * The receiving end of a file transfer (src/main/files/file-receiver.ts) on real folders: a file is only ever under a
 * temporary name until it is whole and its SHA-256 matches, a damaged one is not kept, a full disk (a real 1 MiB
 * tmpfs) and a folder that does not exist are said in words with nothing left behind, a resumed transfer continues
 * from what was written, and an abandoned one is removed after the grace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FileReceiver, numberedName } from '../../src/main/files/file-receiver.js';
import { FILE_RESUME_GRACE_MS, type FileOffer } from '../../src/shared/file-transfer.js';

const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const offerOf = (name: string, bytes: Buffer, id = 'abcdefgh-0001'): FileOffer => ({
  id,
  n: 1,
  name,
  size: bytes.length,
  sha256: hex(bytes),
  direction: 'to-device',
});
const folder = () => mkdtempSync(path.join(tmpdir(), 'flxra-receiver-'));

test('a file is under a temporary name until whole and verified, then under its own', async () => {
  const dir = folder();
  const bytes = randomBytes(300_000);
  const r = new FileReceiver();
  const answer = await r.prepare(offerOf('log.txt', bytes), dir);
  assert.deepEqual(answer, { ok: true, offset: 0, savedAs: 'log.txt' });
  assert.deepEqual(await r.write('abcdefgh-0001', 0, bytes.subarray(0, 100_000)), { ok: true, offset: 100_000 });
  assert.equal(readdirSync(dir).includes('log.txt'), false);
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.flxra-part')).length, 1);
  await r.write('abcdefgh-0001', 100_000, bytes.subarray(100_000));
  const finish = await r.finish('abcdefgh-0001');
  assert.equal(finish.ok, true);
  assert.deepEqual(readdirSync(dir), ['log.txt']);
  assert.equal(hex(readFileSync(path.join(dir, 'log.txt'))), hex(bytes));
});

test('damaged on the way: not kept, said so', async () => {
  const dir = folder();
  const bytes = randomBytes(1000);
  const r = new FileReceiver();
  await r.prepare(offerOf('a.bin', bytes), dir);
  const damaged = Buffer.from(bytes);
  damaged[10] = damaged[10]! ^ 1;
  await r.write('abcdefgh-0001', 0, damaged);
  const finish = await r.finish('abcdefgh-0001');
  assert.deepEqual(finish.ok ? 'ok' : [finish.code, finish.message], [
    'hash-mismatch',
    '“a.bin” arrived damaged (its SHA-256 differs): it was not saved.',
  ]);
  assert.deepEqual(readdirSync(dir), []);
});

test('an existing name is never replaced: the next free number is taken', async () => {
  const dir = folder();
  const r = new FileReceiver();
  for (const [i, text] of ['one', 'two', 'three'].entries()) {
    const bytes = Buffer.from(text);
    await r.prepare(offerOf('notes', bytes, `abcdefgh-000${i}`), dir);
    await r.write(`abcdefgh-000${i}`, 0, bytes);
    await r.finish(`abcdefgh-000${i}`);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['notes', 'notes (1)', 'notes (2)']);
  assert.equal(readFileSync(path.join(dir, 'notes'), 'utf8'), 'one');
  assert.equal(numberedName('report.final.pdf', 3), 'report.final (3).pdf');
});

test('a folder that does not exist, and a full disk, are said in words; nothing is left behind', async (t) => {
  const r = new FileReceiver();
  const missing = await r.prepare(offerOf('a.txt', Buffer.from('x')), '/nonexistent/flxra');
  assert.deepEqual(missing.ok ? 'ok' : [missing.code, missing.message], [
    'not-found',
    'The folder /nonexistent/flxra does not exist (any more).',
  ]);

  const small = path.join(folder(), 'small-disk');
  mkdirSync(small);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]);
  t.after(() => {
    execFileSync('umount', [small]);
    rmSync(small, { recursive: true });
  });
  const bytes = randomBytes(2 * 1024 * 1024);
  await r.prepare(offerOf('big.iso', bytes), small);
  let step;
  for (let at = 0; at < bytes.length; at += 64 * 1024) {
    step = await r.write('abcdefgh-0001', at, bytes.subarray(at, at + 64 * 1024));
    if (!step.ok) break;
  }
  assert.ok(step);
  assert.deepEqual(step.ok ? 'ok' : [step.code, step.message], [
    'no-space',
    `The disk holding ${small} is full: “big.iso” was not saved.`,
  ]);
  assert.deepEqual(readdirSync(small), []);
});

test('resumed from what was written; abandoned after the grace, removed', async () => {
  const dir = folder();
  let now = 1_000;
  const r = new FileReceiver(() => now);
  const bytes = randomBytes(200_000);
  const offer = offerOf('setup.msi', bytes);
  await r.prepare(offer, dir);
  await r.write(offer.id, 0, bytes.subarray(0, 131_072));
  // The sender's connection dropped; it offers the same file again.
  assert.deepEqual(await r.prepare({ ...offer, resume: true }, dir), {
    ok: true,
    offset: 131_072,
    savedAs: 'setup.msi',
  });
  await r.write(offer.id, 131_072, bytes.subarray(131_072));
  assert.equal((await r.finish(offer.id)).ok, true);
  assert.equal(hex(readFileSync(path.join(dir, 'setup.msi'))), hex(bytes));

  const other = offerOf('other.bin', bytes, 'abcdefgh-0002');
  await r.prepare(other, dir);
  await r.write(other.id, 0, bytes.subarray(0, 1000));
  now += FILE_RESUME_GRACE_MS + 1;
  assert.deepEqual(await r.expire(), [other.id]);
  assert.deepEqual(readdirSync(dir), ['setup.msi']);
});
