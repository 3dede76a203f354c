/**
 * The agent's credential file where there is no keychain (owner-only-file-store.ts), on real
 * files: made owner-only whatever the umask, replaced whole (a reader never sees half a file, a
 * crashed write leaves the previous one), and refused, saying how to fix it, when others could
 * read it, own it, or swap it.
 */
import assert from 'node:assert/strict';
import { chmod, chown, lstat, mkdir, mkdtemp, open, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CredentialStoreUnavailable } from '../../src/platform/credentials/credential-store.js';
import {
  CREDENTIAL_FILE,
  CredentialFileRefused,
  ownerOnlyFileStore,
} from '../../src/platform/credentials/owner-only-file-store.js';

let dir: string;
const SECRET = `flxra_dev_${'s'.repeat(43)}`;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-credential-file-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (file: string) => (await lstat(file)).mode & 0o777;

test('keeps secrets in a 0600 file in a 0700 folder, whatever the umask; get, set and delete', async () => {
  const folder = path.join(dir, 'state', 'agent');
  const store = ownerOnlyFileStore(folder);
  assert.equal(await store.get('a'), null, 'nothing there yet, and nothing made by reading');
  await assert.rejects(lstat(folder), { code: 'ENOENT' });

  const umask = process.umask(0);
  try {
    await store.set('a', SECRET);
  } finally {
    process.umask(umask);
  }
  assert.equal(store.file, path.join(folder, CREDENTIAL_FILE));
  assert.equal(await mode(folder), 0o700);
  assert.equal(await mode(store.file), 0o600);
  await store.set('b', 'other');
  assert.equal(await store.get('a'), SECRET);
  assert.equal(await store.get('b'), 'other');

  assert.equal(await store.delete('a'), true);
  assert.equal(await store.delete('a'), false);
  assert.equal(await store.get('a'), null);
  assert.equal(await store.delete('b'), true);
  await assert.rejects(lstat(store.file), { code: 'ENOENT' }, 'the last secret gone, the file goes too');
});

test('a write replaces the file whole: a reader never sees half of one, a crashed write leaves the last one', async () => {
  const folder = path.join(dir, 'atomic');
  const store = ownerOnlyFileStore(folder);
  await store.set('token', 'first');
  // Held open, the first file's inode cannot be reused by a later one.
  const first = await open(store.file, 'r');
  const before = (await first.stat()).ino;
  // Large secrets, so that a file written in place would be seen empty or cut short.
  const big = (i: number) => `${i}:${'x'.repeat(256 * 1024)}`;
  let writing = true;
  let reads = 0;
  const reader = (async () => {
    while (writing) {
      const text = await readFile(store.file, 'utf8');
      const parsed = JSON.parse(text) as Record<string, string>;
      assert.match(parsed.token!, /^(first|\d+:x+)$/, 'a whole file, old or new');
      if (parsed.token !== 'first') assert.equal(parsed.token!.length, big(Number(parsed.token!.split(':')[0])).length);
      reads++;
    }
  })();
  for (let i = 0; i < 40; i++) await store.set('token', big(i));
  writing = false;
  await reader;
  assert.ok(reads > 0);
  assert.notEqual((await lstat(store.file)).ino, before, 'replaced by a rename, not rewritten in place');
  assert.equal(await first.readFile('utf8'), '{"token":"first"}\n', 'the first file, untouched');
  await first.close();
  assert.deepEqual(await readdir(folder), [CREDENTIAL_FILE], 'no temporary file left behind');

  // A write that died before its rename leaves its temporary file: the file itself is untouched.
  await writeFile(`${store.file}.999999.deadbeef.tmp`, '{"token":"half', { mode: 0o600 });
  assert.equal(await store.get('token'), big(39));
  await store.set('token', 'after');
  assert.equal(await store.get('token'), 'after');
});

test('a credential file others can read or change is refused, saying why and how to fix it; the secret is not in the message', async () => {
  const folder = path.join(dir, 'exposed');
  const store = ownerOnlyFileStore(folder);
  await store.set('token', SECRET);
  for (const exposed of [0o644, 0o640, 0o604, 0o620, 0o602]) {
    await chmod(store.file, exposed);
    for (const op of [() => store.get('token'), () => store.set('token', 'x'), () => store.delete('token')]) {
      await assert.rejects(op(), (err: Error) => {
        assert.ok(err instanceof CredentialFileRefused);
        assert.match(
          err.message,
          new RegExp(
            `${CREDENTIAL_FILE} can be read or changed by other users \\(mode 0${exposed.toString(8)}\\), so the agent's credential may have been copied`,
          ),
        );
        assert.match(err.message, /chmod 600 .*credentials\.json/);
        assert.match(err.message, /remove the device on the relay and enrol it again/);
        assert.ok(!err.message.includes(SECRET));
        return true;
      });
    }
  }
  assert.equal((await readFile(store.file, 'utf8')).includes(SECRET), true, 'refused, not changed');
  await chmod(store.file, 0o600);
  assert.equal(await store.get('token'), SECRET, 'made owner-only again, it is used');
});

test("refused too: a file of another user's, a link, a folder others can write to, a damaged file", async (t) => {
  const folder = path.join(dir, 'others');
  const store = ownerOnlyFileStore(folder);
  await store.set('token', SECRET);

  if (process.getuid?.() === 0) {
    await chown(store.file, 65534, 65534);
    await assert.rejects(store.get('token'), /belongs to another user \(uid 65534\), not to the agent's \(uid 0\)/);
    await chown(store.file, 0, 0);
  } else t.diagnostic('not root: the other-owner case needs chown');

  await chmod(folder, 0o777);
  await assert.rejects(store.get('token'), /can be changed by other users \(mode 0777, owner uid \d+\)\. .*chmod 700/);
  await chmod(folder, 0o755);
  assert.equal(await store.get('token'), SECRET, 'a folder others can only read is fine: the file is 0600');

  const linked = path.join(dir, 'linked');
  await mkdir(linked, { mode: 0o700 });
  await symlink(store.file, path.join(linked, CREDENTIAL_FILE));
  await assert.rejects(ownerOnlyFileStore(linked).get('token'), /is not a plain file \(a link\?\)/);

  const damaged = path.join(dir, 'damaged');
  await mkdir(damaged, { mode: 0o700 });
  await writeFile(path.join(damaged, CREDENTIAL_FILE), '{"token": ', { mode: 0o600 });
  await assert.rejects(ownerOnlyFileStore(damaged).get('token'), /is damaged \(not JSON\)\. Enrol the device again/);
});

test('on Windows the file store is not used: the service has Credential Manager', async () => {
  const store = ownerOnlyFileStore(path.join(dir, 'win'), { platform: 'win32' });
  await assert.rejects(store.set('token', SECRET), CredentialStoreUnavailable);
  await assert.rejects(store.get('token'), /On Windows the agent keeps its credential in Credential Manager/);
});
