/**
 * The agent's supervisor of the secure-desktop helper (src/agent/helper/helper-supervisor.ts) on
 * what Wine cannot show (its console never moves): a helper for the console follows it to
 * another session, a start Windows refuses is tried again after the backoff and said in the log,
 * and on Linux the platform answers that there is no helper, as data. The real launcher and
 * helper are test/windows/helper-launch-wine.test.ts's; here the platform seam is a stand-in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helperPlatform, type HelperPlatform } from '../../src/agent/helper/helper-platform.js';
import { HelperSupervisor } from '../../src/agent/helper/helper-supervisor.js';
import { until } from '../../dev/rig/until.js';
import { standInHelper } from '../../dev/rig/stand-in-helper.js';

const frame = { width: 2, height: 2, pixels: Buffer.alloc(16, 255) };

test('on Linux there is no helper, and starting one answers why', async () => {
  const platform = await helperPlatform();
  assert.equal(platform.available, false);
  assert.ok(!platform.available && platform.code === 'not-windows');
  const supervisor = new HelperSupervisor({
    platform,
    attach: () => undefined,
    desktop: () => undefined,
    log: () => undefined,
  });
  const answer = supervisor.start('a1');
  assert.equal(answer.ok, false);
  assert.ok(!answer.ok && /not Windows: it has no secure desktop, so there is no helper to start/.test(answer.message));
  assert.equal(supervisor.status('a1'), null);
});

test('a helper for the console follows it when another session takes the console', async () => {
  let consoleSession = 1;
  const helper = standInHelper({ console: 1, desktop: 'Winlogon', frame });
  const platform: HelperPlatform = {
    ...(helper.platform as Extract<HelperPlatform, { available: true }>),
    launch: {
      ...(helper.platform as Extract<HelperPlatform, { available: true }>).launch,
      activeConsoleSession: () => Promise.resolve(consoleSession),
    },
  };
  const attached: number[] = [];
  const log: string[] = [];
  const supervisor = new HelperSupervisor({
    platform,
    connect: helper.connect,
    attach: () => attached.push(consoleSession),
    desktop: () => undefined,
    log: (l) => log.push(l),
    followMs: 20,
  });
  supervisor.start('a1');
  await until('the first helper', () => attached.length === 1);
  consoleSession = 3;
  await until(
    'the helper in session 3',
    () => supervisor.status('a1')?.wtsSession === 3 && supervisor.status('a1')?.connected,
  );
  assert.deepEqual(
    helper.starts.map((s) => s.session),
    [1, 3],
  );
  assert.match(helper.starts[1]!.pipe, /flxra-desktop-3-/);
  assert.ok(
    log.some((l) => l === 'the console moved from session 1 to 3: the secure-desktop helper follows'),
    log.join('\n'),
  );
  await supervisor.stop('a1');
  assert.equal(helper.closed(), true);
  assert.equal(supervisor.status('a1'), null);
});

test('a start Windows refuses is said and tried again after the backoff; a helper for a user session stays in it', async () => {
  const helper = standInHelper({ console: 1, desktop: 'Default', frame });
  const real = helper.platform as Extract<HelperPlatform, { available: true }>;
  let refusals = 2;
  const platform: HelperPlatform = {
    ...real,
    launch: {
      ...real.launch,
      activeConsoleSession: () => Promise.resolve(1),
      start: (exe, session, pipe) =>
        refusals-- > 0
          ? Promise.reject(
              new Error(
                'Windows refused starting the helper (CreateProcessAsUserW on winsta0\\winlogon) (error 5: access is denied).',
              ),
            )
          : real.launch.start(exe, session, pipe),
    },
  };
  const log: string[] = [];
  const supervisor = new HelperSupervisor({
    platform,
    connect: helper.connect,
    attach: () => undefined,
    desktop: () => undefined,
    log: (l) => log.push(l),
    backoff: { baseMs: 20, capMs: 40 },
    followMs: 20,
  });
  supervisor.start('a2', 2);
  await until('the helper after two refusals', () => supervisor.status('a2')?.connected);
  assert.deepEqual(
    helper.starts.map((s) => s.session),
    [2],
  );
  assert.equal(
    log.filter((l) =>
      /cannot start the secure-desktop helper in session 2: Windows refused .*error 5.*; starting it again in/.test(l),
    ).length,
    2,
    log.join('\n'),
  );
  await supervisor.stopAll();
});
