/**
 * Two relay processes racing on one database, as two nodes behind a load balancer would: both
 * present the same activation file (or wrong passwords for it) at the same moment, several
 * times each. The database decides: exactly one admission wins, and the wrong passwords land on
 * one counter that locks at the fifth, and a dead node's assistance goes to one node, whatever
 * the timing. Against a real PostgreSQL
 * (test/fixtures/postgres.ts) and against one SQLite file two processes share.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { sqliteAssistanceStore, type AssistanceStore } from '../../src/relay/store/assistance-store.js';
import { openPgAssistanceStore } from '../../src/relay/store/pg-assistances.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import type { PasswordFailure } from '../../src/relay/store/store.js';
import { startPostgres, type Postgres } from '../fixtures/postgres.js';
import { assistance } from '../fixtures/assistance-record.js';

const run = promisify(execFile);
const RACER = path.join(import.meta.dirname, '../fixtures/store-racer.ts');
const ATTEMPTS = 8;

let postgres: Postgres;
let dataDir: string;
before(async () => {
  postgres = await startPostgres();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'flxra-races-'));
});
after(async () => {
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Both processes' results, started so that they fire at the same moment (after both have connected). */
async function race(
  engine: string,
  target: string,
  sessionId: string,
  nonce: string,
  op: 'claim' | 'fail' | 'takeover',
) {
  const startAt = String(Date.now() + 2000);
  const racer = () =>
    run(process.execPath, ['--import', 'tsx', RACER, engine, target, sessionId, nonce, op, String(ATTEMPTS), startAt], {
      timeout: 20_000,
    });
  const outputs = await Promise.all([racer(), racer()]);
  return outputs.flatMap(({ stdout }) => JSON.parse(stdout) as unknown[]);
}

const engines: Record<string, { target: () => Promise<string>; open: (target: string) => Promise<AssistanceStore> }> = {
  postgres: { target: () => postgres.createDatabase(), open: (url) => openPgAssistanceStore(url) },
  sqlite: { target: async () => dataDir, open: async (dir) => sqliteAssistanceStore(openSqliteStore(dir)) },
};

/** A store as the node named. */
const openAs = (engine: string, target: string, node: string): Promise<AssistanceStore> =>
  engine === 'postgres'
    ? openPgAssistanceStore(target, { node })
    : Promise.resolve(sqliteAssistanceStore(openSqliteStore(target, { node })));

for (const [engine, { target: makeTarget, open }] of Object.entries(engines)) {
  describe(`two relay processes racing on ${engine}`, () => {
    let target: string;
    let store: AssistanceStore;
    before(async () => {
      target = await makeTarget();
      store = await open(target);
    });
    after(async () => {
      await store.close();
    });

    it('admit exactly one operator with one activation file', async () => {
      const record = assistance();
      await store.insert(record);
      const results = await race(engine, target, record.sessionId, record.nonce, 'claim');
      assert.equal(results.length, 2 * ATTEMPTS);
      assert.equal(results.filter((won) => won === true).length, 1, `exactly one of ${results.length} wins`);
      assert.notEqual((await store.get(record.sessionId))?.nonceUsedAt, null);
    });

    it("give a silent node's assistance to exactly one of two nodes taking it over", async () => {
      const record = assistance();
      // Node "a" created it and has never said it is alive since: silent.
      const nodeA = await openAs(engine, target, 'a');
      await nodeA.insert(record);
      await nodeA.close();
      const results = await race(engine, target, record.sessionId, 'a', 'takeover');
      assert.equal(results.length, 2 * ATTEMPTS);
      assert.equal(results.filter((won) => won === true).length, 1, `exactly one of ${results.length} wins`);
      assert.match((await store.owner(record.sessionId))?.node ?? '', /^racer-\d+$/);
    });

    it('keep one password counter, locked at the fifth wrong password', async () => {
      const record = assistance();
      await store.insert(record);
      const results = (await race(
        engine,
        target,
        record.sessionId,
        record.nonce,
        'fail',
      )) as Array<PasswordFailure | null>;
      const counted = results.filter((r): r is PasswordFailure => r !== null);
      assert.deepEqual(
        counted.map((r) => r.failures).sort((a, b) => a - b),
        [1, 2, 3, 4, 5],
        'each failure counted once, none past the lock',
      );
      assert.equal(counted.filter((r) => r.locked).length, 1, 'one lock');
      assert.equal(results.filter((r) => r === null).length, 2 * ATTEMPTS - 5, 'the rest refused: locked');
      const stored = await store.get(record.sessionId);
      assert.equal(stored?.failures, 5);
      assert.notEqual(stored?.lockedAt, null);
      assert.equal(
        await store.claimActivation(record.sessionId, record.nonce, {
          at: 1,
          resumeHash: Buffer.alloc(32),
          accessMode: 'control',
        }),
        false,
      );
    });
  });
}
