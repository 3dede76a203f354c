/**
 * The assistances' store behind one set of tests, run against both engines: the embedded SQLite
 * of one relay node and a real PostgreSQL that several nodes share (test/fixtures/postgres.ts
 * starts one for this file). What a relay relies on: a record comes back as it went in, the
 * first admission consumes the file once, wrong passwords count on one counter up to the lock,
 * an assistance ends once, and the sweep's queries find what is due.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sqliteAssistanceStore, type AssistanceStore } from '../../src/relay/store/assistance-store.js';
import { openPgAssistanceStore } from '../../src/relay/store/pg-assistances.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import { assistance } from '../fixtures/assistance-record.js';
import { startPostgres, type Postgres } from '../fixtures/postgres.js';

let postgres: Postgres;
const dirs: string[] = [];
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Each engine: a new database, and a store on it (as one relay, or as the node named). */
const ENGINES: Record<
  string,
  { target: () => Promise<string>; open: (target: string, node?: string) => Promise<AssistanceStore> }
> = {
  sqlite: {
    target: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-store-'));
      dirs.push(dir);
      return dir;
    },
    open: async (dir, node) => sqliteAssistanceStore(openSqliteStore(dir, { node: node ?? null })),
  },
  postgres: {
    target: () => postgres.createDatabase(),
    open: (url, node) => openPgAssistanceStore(url, { node: node ?? null }),
  },
};

const claim = { at: 1_700_000_010_000, resumeHash: randomBytes(32), accessMode: 'control' as const };

for (const [engine, { target, open: openOn }] of Object.entries(ENGINES)) {
  const open = async () => openOn(await target());
  describe(`assistance store on ${engine}`, () => {
    let store: AssistanceStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    it('gives a record back as it was stored, and its changes', async () => {
      const record = assistance({ createdAt: 1_700_000_000_123 });
      await store.insert(record);
      assert.deepEqual(await store.get(record.sessionId), record);
      await store.update(record.sessionId, {
        hostResumeHash: Buffer.from('host'),
        deviceName: 'Front desk',
        lifecycle: { phase: 'ready', away: ['host'], endedFrom: null },
        expiresAt: null,
      });
      const changed = await store.get(record.sessionId);
      assert.deepEqual(changed?.hostResumeHash, Buffer.from('host'));
      assert.equal(changed?.deviceName, 'Front desk');
      assert.deepEqual(changed?.lifecycle, { phase: 'ready', away: ['host'], endedFrom: null });
      assert.equal(changed?.expiresAt, null);
      assert.equal(await store.get('999999999'), null);
      const attended = assistance({ mode: 'attended', password: null });
      await store.insert(attended);
      assert.equal((await store.get(attended.sessionId))?.password, null);
    });

    it('refuses a second assistance with the same nonce', async () => {
      const first = assistance();
      await store.insert(first);
      await assert.rejects(store.insert(assistance({ nonce: first.nonce })));
    });

    it('lets the activation file be used once, and only with its own nonce', async () => {
      const record = assistance();
      await store.insert(record);
      assert.equal(await store.claimActivation(record.sessionId, 'another nonce', claim), false);
      assert.equal(await store.claimActivation(record.sessionId, record.nonce, claim), true);
      assert.equal(await store.claimActivation(record.sessionId, record.nonce, claim), false);
      const used = await store.get(record.sessionId);
      assert.equal(used?.nonceUsedAt, claim.at);
      assert.deepEqual(used?.resumeHash, claim.resumeHash);
      assert.equal(used?.accessMode, 'control');
      assert.equal(used?.expiresAt, null);
      assert.equal(await store.recordPasswordFailure(record.sessionId, record.nonce, claim.at, 5), null);
    });

    it('counts wrong passwords on one counter and locks at the fifth', async () => {
      const record = assistance();
      await store.insert(record);
      const counted = [];
      for (let i = 1; i <= 5; i++)
        counted.push(await store.recordPasswordFailure(record.sessionId, record.nonce, i, 5));
      assert.deepEqual(counted, [
        { failures: 1, locked: false },
        { failures: 2, locked: false },
        { failures: 3, locked: false },
        { failures: 4, locked: false },
        { failures: 5, locked: true },
      ]);
      const locked = await store.get(record.sessionId);
      assert.equal(locked?.lockedAt, 5);
      assert.equal(locked?.lastFailureAt, 5);
      assert.equal(await store.recordPasswordFailure(record.sessionId, record.nonce, 6, 5), null);
      assert.equal(
        await store.claimActivation(record.sessionId, record.nonce, claim),
        false,
        'a locked file opens nothing',
      );
    });

    it('ends an assistance once; an ended one opens nothing and is not running', async () => {
      const record = assistance({ hostAwayUntil: 1_700_000_050_000 });
      await store.insert(record);
      const end = {
        at: 1_700_000_020_000,
        reason: 'expired' as const,
        lifecycle: { phase: 'expired' as const, away: [], endedFrom: 'requested' as const },
      };
      assert.equal(await store.endAssistance(record.sessionId, end), true);
      assert.equal(
        await store.endAssistance(record.sessionId, { ...end, at: end.at + 1, reason: 'superseded' }),
        false,
      );
      const ended = await store.get(record.sessionId);
      assert.equal(ended?.endedAt, end.at);
      assert.equal(ended?.endReason, 'expired');
      assert.equal(ended?.hostAwayUntil, null);
      assert.equal(ended?.lifecycle.phase, 'expired');
      assert.equal(await store.claimActivation(record.sessionId, record.nonce, claim), false);
      assert.ok(!(await store.running()).some((r) => r.sessionId === record.sessionId));
    });

    it("hands a silent node's running assistance to exactly one other node, never a live node's", async () => {
      const shared = await target();
      const [nodeA, nodeB, nodeC] = [await openOn(shared, 'a'), await openOn(shared, 'b'), await openOn(shared, 'c')];
      try {
        const record = assistance();
        await nodeA.insert(record);
        await nodeA.markNodeAlive(10_000);
        assert.deepEqual(await nodeB.owner(record.sessionId), { node: 'a', aliveAt: 10_000 });
        // A's heartbeat is at or after the limit: alive, its assistance stays its own.
        assert.equal(await nodeB.takeOver(record.sessionId, 'a', 10_000), false);
        // Silent since before the limit: B wins; C, asking with the owner it read before, does not.
        assert.equal(await nodeB.takeOver(record.sessionId, 'a', 10_001), true);
        assert.equal(await nodeC.takeOver(record.sessionId, 'a', 10_001), false);
        assert.deepEqual(
          (await nodeB.running()).map((r) => r.sessionId),
          [record.sessionId],
        );
        assert.deepEqual(await nodeA.running(), [], 'no longer A’s at its next start');
        await nodeA.endAssistance(record.sessionId, { at: 20_000, reason: 'expired', lifecycle: record.lifecycle });
        assert.equal(await nodeC.owner(record.sessionId), null, 'an ended one has no owner to take over');
      } finally {
        for (const store of [nodeA, nodeB, nodeC]) await store.close();
      }
    });

    it('runs, for a node of several, only the assistances it created', async () => {
      const shared = await target();
      const [one, nodeA, nodeB] = [await openOn(shared), await openOn(shared, 'a'), await openOn(shared, 'b')];
      try {
        const [ofA, ofB] = [assistance(), assistance()];
        await nodeA.insert(ofA);
        await nodeB.insert(ofB);
        assert.deepEqual(
          (await nodeA.running()).map((r) => r.sessionId),
          [ofA.sessionId],
        );
        assert.deepEqual(
          (await nodeB.running()).map((r) => r.sessionId),
          [ofB.sessionId],
        );
        assert.equal((await one.running()).length, 2, 'one relay runs everything it holds');
        assert.deepEqual((await nodeB.get(ofA.sessionId))?.sessionId, ofA.sessionId, 'every node reads every one');
      } finally {
        for (const store of [one, nodeA, nodeB]) await store.close();
      }
    });

    it('finds what the sweep acts on: due, hosts away too long, what is purged', async () => {
      const fresh = await open();
      try {
        const due = assistance({ expiresAt: 1000 });
        const later = assistance({ expiresAt: 5000 });
        const away = assistance({ expiresAt: null, hostAwayUntil: 2000 });
        const over = assistance({ expiresAt: null, activationExpiresAt: 1500 });
        for (const r of [due, later, away, over]) await fresh.insert(r);
        await fresh.endAssistance(over.sessionId, {
          at: 1200,
          reason: 'user-ended',
          lifecycle: { phase: 'ended', away: [], endedFrom: 'active' },
        });
        assert.deepEqual(await fresh.due(1000), [due.sessionId]);
        assert.deepEqual(await fresh.due(5000), [due.sessionId, later.sessionId]);
        assert.deepEqual(await fresh.hostsAwayTooLong(2000), [away.sessionId]);
        assert.deepEqual(
          (await fresh.running()).map((r) => r.sessionId).sort(),
          [due.sessionId, later.sessionId, away.sessionId].sort(),
        );
        assert.equal((await fresh.recent(10)).length, 4);
        assert.equal(await fresh.purge(1499), 0);
        assert.equal(await fresh.purge(1500), 1);
        assert.equal(await fresh.get(over.sessionId), null);
        assert.equal(await fresh.lastAlive(), null);
        await fresh.markAlive(1_700_000_000_000);
        assert.equal(await fresh.lastAlive(), 1_700_000_000_000);
      } finally {
        await fresh.close();
      }
    });
  });
}
