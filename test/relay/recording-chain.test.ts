/**
 * The recording's chain check (src/relay/recordings/chain.ts) on the audit trail's side: rows of
 * the trail taken out, reordered or rewritten (which the database's triggers refuse, but a copy of
 * relay.db can be edited) break the chain where they do, even when the chunks' files agree with
 * the forged rows; an untouched chain with its files is intact.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainLink, chainStart, checkChain, sha256Hex, type AuditedChunk } from '../../src/relay/recordings/chain.js';

const SESSION = '123456789';

function recording(count: number): AuditedChunk[] {
  let previous = chainStart(SESSION);
  return Array.from({ length: count }, (_, seq) => {
    const digest = { part: 0, seq, sha256: sha256Hex(`video ${seq}`), eventsSha256: sha256Hex(`events ${seq}`) };
    previous = chainLink(previous, SESSION, digest);
    return { ...digest, at: new Date(1_000 * seq).toISOString(), bytes: 7, chain: previous };
  });
}

/** The files as the rows say they should be. */
const filesOf = (rows: AuditedChunk[]) =>
  new Map(rows.map((r) => [r.seq, { sha256: r.sha256, eventsSha256: r.eventsSha256 }]));

const statuses = (rows: AuditedChunk[]) =>
  checkChain(SESSION, rows, new Set(), filesOf(rows)).chunks.map((c) => c.status);

describe('recording chain', () => {
  it('is intact as recorded, and bound to its session', () => {
    const rows = recording(4);
    assert.equal(checkChain(SESSION, rows, new Set(), filesOf(rows)).intact, true);
    assert.equal(checkChain('987654321', rows, new Set(), filesOf(rows)).intact, false, 'moved to another session');
  });

  it('breaks where a row of the trail was taken out', () => {
    const rows = recording(4);
    assert.deepEqual(statuses([rows[0]!, rows[1]!, rows[3]!]), ['intact', 'intact', 'chain-broken']);
  });

  it('breaks from where rows were reordered on', () => {
    const rows = recording(4);
    // Sorted back by seq for the console, each moved row and the one after them broken.
    assert.deepEqual(statuses([rows[0]!, rows[2]!, rows[1]!, rows[3]!]), [
      'intact',
      'chain-broken',
      'chain-broken',
      'chain-broken',
    ]);
  });

  it('breaks where a row was rewritten to match a changed file', () => {
    const rows = recording(3);
    const forged = { ...rows[1]!, sha256: sha256Hex('other video') };
    assert.deepEqual(statuses([rows[0]!, forged, rows[2]!]), ['intact', 'chain-broken', 'intact']);
  });
});
