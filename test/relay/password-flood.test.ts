/**
 * A bounded abuse test (loopback, a few seconds): long passwords thrown at every console route
 * that judges one. Judging costs CPU on the relay's event loop, so it runs only for callers who
 * got past the cheap checks (the setup link, a sign-in, the current password, the throttle), and
 * on the first SCORED_CHARS characters only: a flood of 256-character passwords with a wrong
 * setup token or a wrong current password scores nothing, and an admin's flood of the library's
 * costliest inputs costs a bounded CPU time each. Measured in this process (relay and client).
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { MAX_PASSWORD_LENGTH } from '../../src/shared/console-passwords.js';
import { SCORED_CHARS } from '../../src/relay/console/password-check.js';
import { startTestRelay } from '../../dev/rig/relay.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin, setupToken } from '../fixtures/console.js';

const FLOOD = 100;
const COSTLY = 12;
/**
 * Measured here: about 35 ms of CPU per request when the first 64 characters are scored (a test's
 * cheap scrypt hash follows an accepted one), about 150 ms when all 256 are.
 */
const CPU_MS_PER_JUDGED = 100;

/** Long inputs zxcvbn finds expensive: l33t words, digit runs, dates, keyboard rows, mixtures. */
function costly(i: number): string {
  const pieces = ['p@$$w0rd', '1234567890', '19/01/2001', 'qwertyuiop', '4@3$1!0|7+', 'aaaa', 'é'];
  const piece = pieces[i % pieces.length]!;
  return `${piece.repeat(MAX_PASSWORD_LENGTH)}`.slice(0, MAX_PASSWORD_LENGTH - 1) + String(i % 10);
}

test('floods of long passwords are judged only past the cheap checks, and each on its first characters', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());

  // Before setup: a wrong link refuses (then, repeated, slows down like sign-ins) before any password is judged.
  // From an address of its own: the slowing-down must not hold up the real setup below.
  const anyone = new ConsoleClient(relay, { from: '127.0.0.9' });
  const setupStatuses = new Set<number>();
  const wrongToken = setupToken(relay).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  for (let i = 0; i < FLOOD; i++) {
    const answer = await anyone.call('POST', '/setup', {
      setupToken: wrongToken,
      username: 'mallory',
      name: 'Mallory',
      organisation: 'Nowhere',
      password: costly(i),
    });
    setupStatuses.add(answer.status);
  }
  assert.deepEqual([...setupStatuses].sort(), [403, 429], 'wrong, then too many attempts');
  assert.deepEqual(relay.handle.passwordChecks(), { loads: 0, checks: 0, longestScored: 0 }, 'nothing judged');

  const admin = await firstAdmin(relay);
  const before = relay.handle.passwordChecks();
  assert.equal(before.checks, 1, 'the setup itself');

  // A signed-in user (or a stolen session) with a wrong current password: refused, then throttled, never judged.
  const user = await admin.newUser('olivia', 'operator');
  const afterUser = relay.handle.passwordChecks().checks;
  const statuses = new Set<number>();
  for (let i = 0; i < FLOOD; i++) {
    const answer = await user.call('POST', '/me/password', { currentPassword: `guess ${i}`, newPassword: costly(i) });
    statuses.add(answer.status);
  }
  assert.deepEqual([...statuses].sort(), [400, 429], 'wrong, then too many attempts');
  assert.equal(relay.handle.passwordChecks().checks, afterUser, 'no new password judged for a wrong current one');

  // An admin's own flood of the costliest inputs: each judged on its first SCORED_CHARS characters.
  await admin.call('POST', '/users/olivia/password', { password: costly(0) }); // warm up the matchers
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 1; i <= COSTLY; i++) {
    const answer = await admin.call('POST', '/users/olivia/password', { password: costly(i) });
    assert.ok([200, 400].includes(answer.status), answer.text);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsEach = (cpu.user + cpu.system) / 1000 / COSTLY;
  t.diagnostic(`${cpuMsEach.toFixed(1)} ms of CPU per judged ${MAX_PASSWORD_LENGTH}-character password`);
  const stats = relay.handle.passwordChecks();
  assert.equal(stats.loads, 1, 'the dictionaries were loaded once');
  assert.equal(stats.longestScored, SCORED_CHARS, `scored at most ${SCORED_CHARS} characters`);
  assert.ok(
    cpuMsEach < CPU_MS_PER_JUDGED,
    `${cpuMsEach.toFixed(1)} ms of CPU per judged password (budget ${CPU_MS_PER_JUDGED}); ` +
      `${((performance.now() - started) / COSTLY).toFixed(1)} ms wall`,
  );
  // Meanwhile the console answers as ever.
  assert.equal((await new ConsoleClient(relay).login('root-admin', ADMIN_PASSWORD)).status, 200);
});
