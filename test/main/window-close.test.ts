/**
 * The host window's clean end (src/main/host/window-close.ts), on an injected timer: every end
 * starts the countdown once, a new request before it ran out stops it, and the close happens
 * once, whoever triggers it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLOSE_AFTER_MS, WindowClose, type StartTimer } from '../../src/main/host/window-close.js';
import type { HostState } from '../../src/shared/ipc.js';

const operator = { id: 'op-1', name: 'Ada Lovelace', organisation: 'Help Desk' };

function manualTimer() {
  const timers: Array<{ fire: () => void; ms: number; cancelled: boolean }> = [];
  const start: StartTimer = (fire, ms) => {
    const t = { fire, ms, cancelled: false };
    timers.push(t);
    return () => void (t.cancelled = true);
  };
  const live = () => timers.filter((t) => !t.cancelled);
  return { start, live };
}

test('every way a session ends closes the window once its timer runs out, and only then', () => {
  const ends: HostState[] = [
    { status: 'ended', sessionId: '123456789', reason: 'user-ended', operator },
    { status: 'ended', sessionId: '123456789', reason: 'operator-left', operator },
    { status: 'ended', sessionId: '123456789', reason: 'declined', operator },
    { status: 'ended', sessionId: '123456789', reason: 'consent-timeout', operator },
    { status: 'ended', sessionId: '123456789', reason: 'request-declined', operator },
    { status: 'deactivated', sessionId: '123456789' },
  ];
  for (const end of ends) {
    const timer = manualTimer();
    let closed = 0;
    const window = new WindowClose({ close: () => closed++, timer: timer.start });
    window.observe({ status: 'ready', sessionId: '123456789' });
    assert.equal(timer.live().length, 0);
    window.observe(end);
    window.observe(end); // told again (the relay's word after the window's own): still one countdown
    assert.equal(timer.live().length, 1, end.status);
    assert.equal(timer.live()[0]!.ms, CLOSE_AFTER_MS);
    assert.equal(window.pending, true);
    assert.equal(closed, 0);
    timer.live()[0]!.fire();
    assert.equal(closed, 1);
    window.closeNow();
    assert.equal(closed, 1, 'closed once');
  }
});

test('a new request before the countdown ran out keeps the window open', () => {
  const timer = manualTimer();
  let closed = 0;
  const window = new WindowClose({ close: () => closed++, timer: timer.start, afterMs: 50 });
  window.observe({ status: 'ended', sessionId: '123456789', reason: 'declined', operator });
  window.observe({ status: 'consent', sessionId: '123456789', operator, deadline: Date.now() + 60_000 });
  assert.equal(timer.live().length, 0);
  assert.equal(window.pending, false);
  assert.equal(closed, 0);
});
