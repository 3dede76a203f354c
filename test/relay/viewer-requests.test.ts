/**
 * The viewer toolbar's requests through a real relay: Request control reaches the host only from
 * the session's admitted operator, and the ticket and notes go into the audit trail; anyone else
 * (a waiting operator, another operator, the host) is refused as data, and nothing is recorded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestRelay } from '../../dev/rig/relay.js';
import { relayForBlock } from '../fixtures/file-relay.js';

describe('viewer toolbar requests at the relay', () => {
  let relay: TestRelay;
  /** A second registered operator's token. */
  let otherToken: string;
  relayForBlock((started, other) => ((relay = started), (otherToken = other)));
  const trail = (sessionId: string, action: string) =>
    relay.handle.audit.query({ sessionId }).filter((e) => e.action === action);

  it('carries Request control from the admitted operator to the host, audited', async () => {
    const { host, op, sessionId } = await relay.openSession('view');
    op.emit('session:request-control', { sessionId });
    assert.deepEqual(await host.next('session:control-requested'), { sessionId });
    assert.equal(trail(sessionId, 'control.requested').length, 1);
    assert.equal(trail(sessionId, 'control.requested')[0]!.actor.id, relay.operatorIdentity.id);
  });

  it('refuses Request control and notes from an operator still waiting, another operator, or the host', async () => {
    const { host, op, sessionId } = await relay.openSession(null);
    op.emit('session:request-control', { sessionId });
    assert.equal((await op.next('relay:error')).code, 'not-in-session');
    const other = await relay.connectOperator(otherToken);
    other.emit('session:notes', { sessionId, notes: { ticket: 'X-1', notes: 'not mine' } });
    const err = await other.next('relay:error');
    assert.equal(err.code, 'not-in-session');
    assert.match(err.message, /only the admitted operator/);
    host.emit('session:notes', { sessionId, notes: { ticket: 'X-2', notes: 'from the host' } });
    assert.equal((await host.next('relay:error')).code, 'not-in-session');
    await host.flush();
    assert.deepEqual(host.received('session:control-requested'), []);
    assert.equal(trail(sessionId, 'assistance.notes').length, 0);
    assert.equal(trail(sessionId, 'control.requested').length, 0);
  });

  it('keeps the ticket and notes in the audit trail and tells the operator', async () => {
    const { op, sessionId } = await relay.openSession('control');
    const notes = { ticket: 'HD-1', notes: 'Reset the password of the mail account.' };
    op.emit('session:notes', { sessionId, notes });
    assert.deepEqual(await op.next('session:notes-saved'), { sessionId, notes });
    const [row] = trail(sessionId, 'assistance.notes');
    assert.deepEqual(row!.detail, notes);
  });

  it('refuses notes longer than the contract allows (bad-payload), recording nothing', async () => {
    const { op, sessionId } = await relay.openSession('control');
    op.emit('session:notes', { sessionId, notes: { ticket: 'HD-2', notes: 'x'.repeat(4001) } });
    assert.equal((await op.next('relay:error')).code, 'bad-payload');
    assert.equal(trail(sessionId, 'assistance.notes').length, 0);
  });
});
