/** Session IDs: the format people read out, and uniqueness among live sessions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionId } from '../../src/shared/protocol.js';
import { SessionTable, randomSessionId } from '../../src/relay/sessions.js';

describe('session IDs', () => {
  it('are nine digits without a leading zero', () => {
    for (let i = 0; i < 1_000; i++) {
      const id = randomSessionId();
      assert.ok(SessionId.safeParse(id).success, id);
      assert.notEqual(id[0], '0', id);
    }
  });

  it('are drawn again while they collide with a live session, and free again once it is gone', () => {
    const draws = ['111111111', '111111111', '111111111', '222222222', '111111111'];
    const table = new SessionTable(() => draws.shift()!);
    assert.equal(table.openHost('host-a', 'A'), '111111111');
    assert.equal(table.openHost('host-b', 'B'), '222222222');
    assert.deepEqual(table.disconnect({ conn: 'host-a', role: 'host' }), []);
    assert.equal(table.openHost('host-c', 'C'), '111111111');
    assert.equal(table.size, 2);
  });
});
