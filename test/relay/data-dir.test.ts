/**
 * The relay's data folder is its secret area (relay.db with the signing key and every token's
 * MAC, its WAL, the token pepper): at every start it and all it holds are made owner-only,
 * whether the relay made them or found them readable by others.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startTestRelay } from '../../dev/rig/relay.js';

/** Every entry under dir (relative path → permission bits), dir itself as '.'. */
async function modes(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = { '.': ((await fs.stat(dir)).mode & 0o777).toString(8) };
  for (const entry of await fs.readdir(dir, { recursive: true })) {
    found[entry] = ((await fs.stat(path.join(dir, entry))).mode & 0o777).toString(8);
  }
  return found;
}

describe('the relay data folder', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-data-dir-test-'));
  });
  afterEach(async () => {
    await fs.rm(parent, { recursive: true, force: true });
  });

  it('is made owner-only when new, with the database, its WAL and the pepper in it', async () => {
    const dataDir = path.join(parent, 'new', 'data');
    const relay = await startTestRelay({ dataDir });
    try {
      // Running, with writes done: the WAL and shared-memory files exist too.
      const found = await modes(dataDir);
      assert.ok(found['relay.db-wal'] && found['token-pepper'], Object.keys(found).join());
      assert.deepEqual(found, {
        '.': '700',
        'relay.db': '600',
        'relay.db-wal': '600',
        'relay.db-shm': '600',
        'token-pepper': '600',
      });
    } finally {
      await relay.close();
    }
  });

  it('is made owner-only again at the next start when its files were left readable by others', async () => {
    const dataDir = path.join(parent, 'data');
    const first = await startTestRelay({ dataDir });
    await first.close();
    // What a restore, a copy or an older relay may leave: group- and world-readable everything.
    await fs.mkdir(path.join(dataDir, 'backup'));
    await fs.writeFile(path.join(dataDir, 'backup', 'relay.db.bak'), 'old copy');
    await fs.writeFile(path.join(dataDir, 'relay.db-wal'), '');
    for (const entry of await fs.readdir(dataDir, { recursive: true })) {
      const target = path.join(dataDir, entry);
      await fs.chmod(target, (await fs.stat(target)).isDirectory() ? 0o755 : 0o644);
    }
    await fs.chmod(dataDir, 0o755);
    assert.equal((await modes(dataDir))['token-pepper'], '644');

    const second = await startTestRelay({ dataDir });
    try {
      const found = await modes(dataDir);
      for (const [entry, mode] of Object.entries(found)) {
        const isDir = entry === '.' || entry === 'backup';
        assert.equal(mode, isDir ? '700' : '600', `${entry} is ${mode}`);
      }
      assert.ok(found['relay.db'] && found['token-pepper'] && found['backup/relay.db.bak']);
      // And it still works: the pepper it found is the one its tokens were stored with.
      await second.connectOperator(first.operatorToken);
    } finally {
      await second.close();
    }
  });
});
