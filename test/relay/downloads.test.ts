/**
 * The relay's release artifacts (`relay serve --artifacts <dir>`), against a real relay: the
 * console lists the operator's portable .exe of its folder with the size and SHA-256 of the
 * bytes it then streams (as an attachment, to signed-in users only); files of the folder that
 * are no release artifact, subfolders, symbolic links and every traversal attempt answer 404
 * without a byte of what they aimed at; a relay without a folder, or with an empty one, says so
 * in a sentence; and a file's hash is computed once per version of the file.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { CONSOLE_API } from '../../src/shared/console-api.js';
import { ReleaseDownloads } from '../../src/shared/release-artifacts.js';
import { ApiError } from '../../src/shared/relay-api.js';
import { NO_ARTIFACTS_CONFIGURED, NO_ARTIFACTS_FOUND, ReleaseArtifacts } from '../../src/relay/downloads/artifacts.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';

const PORTABLE = 'flxra-operator-26.11.0-portable.exe';
const SECRET = 'the relay keeps this private';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A GET under /console/api with the client's cookie, its body as bytes (fetch decodes no path). */
async function getBytes(client: ConsoleClient | null, relay: TestRelay, rawPath: string) {
  const response = await fetch(`${relay.url}${CONSOLE_API}${rawPath}`, {
    headers: client?.cookie ? { cookie: client.cookie } : {},
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

describe('release artifacts offered by the console', () => {
  let root: string;
  let folder: string;
  let exe: Buffer;
  let relay: TestRelay;
  let admin: ConsoleClient;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'flxra-artifacts-'));
    folder = path.join(root, 'artifacts');
    await mkdir(folder);
    exe = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(path.join(folder, PORTABLE), exe);
    await writeFile(path.join(folder, 'notes.txt'), SECRET);
    await writeFile(path.join(root, 'secret.txt'), SECRET);
    // Named like an artifact, but a link out of the folder, and a folder: neither is offered.
    await symlink(path.join(root, 'secret.txt'), path.join(folder, 'flxra-operator-26.12.0-portable.exe'));
    await mkdir(path.join(folder, 'flxra-operator-26.10.0-portable.exe'));
    relay = await startTestRelay({ relay: { artifactsDir: folder } });
    admin = await firstAdmin(relay);
  });
  after(async () => {
    await relay?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lists the portable .exe with its name, size and SHA-256, and nothing else of the folder', async () => {
    const answer = await admin.call('GET', '/downloads');
    assert.equal(answer.status, 200, answer.text);
    const listed = ReleaseDownloads.parse(answer.body);
    assert.equal(listed.configured, true);
    assert.equal(listed.notice, undefined);
    assert.deepEqual(
      listed.artifacts.map(({ kind, label, fileName, version, size, sha256: hash }) => ({
        kind,
        label,
        fileName,
        version,
        size,
        hash,
      })),
      [
        {
          kind: 'operator-portable-windows',
          label: 'flxra operator for Windows (portable .exe)',
          fileName: PORTABLE,
          version: '26.11.0',
          size: exe.length,
          hash: sha256(exe),
        },
      ],
    );
  });

  it('streams the file as an attachment, its bytes hashing to what the listing says', async () => {
    const got = await getBytes(admin, relay, `/downloads/${PORTABLE}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/octet-stream');
    assert.equal(got.headers.get('content-disposition')?.startsWith(`attachment; filename="${PORTABLE}"`), true);
    assert.equal(Number(got.headers.get('content-length')), exe.length);
    assert.equal(got.headers.get('x-flxra-sha256'), sha256(exe));
    assert.equal(sha256(got.body), sha256(exe));
  });

  it('refuses every other name: traversal, other files, links, folders; and anyone signed out', async () => {
    for (const attempt of [
      '..%2Fsecret.txt',
      '%2e%2e%2fsecret.txt',
      '..%5Csecret.txt',
      '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      'notes.txt',
      '.%2Fnotes.txt',
      `${PORTABLE}%00.txt`,
      `${PORTABLE.toUpperCase()}`,
      'flxra-operator-26.12.0-portable.exe',
      'flxra-operator-26.10.0-portable.exe',
      `%2F${encodeURIComponent(path.join(root, 'secret.txt').slice(1))}`,
    ]) {
      const got = await getBytes(admin, relay, `/downloads/${attempt}`);
      assert.equal(got.status, 404, `${attempt}: ${got.status}`);
      assert.equal(got.body.includes(SECRET), false, attempt);
      assert.equal(ApiError.parse(JSON.parse(got.body.toString('utf8'))).error.code, 'not-found', attempt);
    }
    const signedOut = await getBytes(null, relay, `/downloads/${PORTABLE}`);
    assert.equal(signedOut.status, 401);
    assert.equal(signedOut.body.length < 1000, true, 'no file bytes for a signed-out caller');
    assert.equal((await getBytes(null, relay, '/downloads')).status, 401);
  });

  it('says in a sentence when no folder is configured, or when the folder holds no artifact', async () => {
    const bare = await startTestRelay();
    const empty = path.join(root, 'empty');
    await mkdir(empty);
    const emptyRelay = await startTestRelay({ relay: { artifactsDir: empty } });
    try {
      for (const [r, configured, notice] of [
        [bare, false, NO_ARTIFACTS_CONFIGURED],
        [emptyRelay, true, NO_ARTIFACTS_FOUND],
      ] as const) {
        const client = await firstAdmin(r);
        const listed = ReleaseDownloads.parse((await client.call('GET', '/downloads')).body);
        assert.deepEqual(listed, { configured, artifacts: [], notice });
        assert.equal((await getBytes(client, r, `/downloads/${PORTABLE}`)).status, 404);
      }
    } finally {
      await bare.close();
      await emptyRelay.close();
    }
  });

  it('hashes a file once per version: again only when its size or modification time changes', async () => {
    const dir = path.join(root, 'cache');
    await mkdir(dir);
    const file = path.join(dir, PORTABLE);
    await writeFile(file, exe);
    const artifacts = new ReleaseArtifacts(dir);
    const first = await artifacts.list();
    await artifacts.list();
    await artifacts.open(PORTABLE).then((o) => (o.ok ? o.stream.destroy() : undefined));
    assert.equal(artifacts.hashesComputed, 1);
    // A rebuilt artifact copied over the old one, same size: its new time makes it hashed again.
    const rebuilt = randomBytes(exe.length);
    await writeFile(file, rebuilt);
    const later = new Date(Date.parse(first.artifacts[0]!.modifiedAt) + 60_000);
    await utimes(file, later, later);
    const second = await artifacts.list();
    assert.equal(artifacts.hashesComputed, 2);
    assert.equal(second.artifacts[0]!.sha256, sha256(rebuilt));
    assert.notEqual(second.artifacts[0]!.sha256, first.artifacts[0]!.sha256);
  });
});
