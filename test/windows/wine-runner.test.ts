/**
 * The Windows tier's runner itself (dev/wine/): scripts run under the Windows node.exe of the
 * project's Node version, with koffi's win32 build, on the test's Xvfb; a script's error comes
 * back as its message, and a native crash ends the run instead of hanging in winedbg.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Xvfb } from '../../dev/rig/xvfb.js';
import type { WineSession } from '../../dev/wine/wine-session.js';
import { wineDesktop } from './wine-desktop.js';

const PROBE = 'test/windows/probes/runner-probe.ts';
let xvfb: Xvfb;
let wine: WineSession;
wineDesktop({ width: 1100, height: 700 }, (w, x) => ((wine = w), (xvfb = x)));

test("a script runs on Windows' Node of the project's version, with koffi's win32 build, on the test's display", async () => {
  const koffiVersion = (JSON.parse(readFileSync('node_modules/koffi/package.json', 'utf8')) as { version: string })
    .version;
  const report = await wine.runNode<Record<string, unknown>>(PROBE, { mode: 'report' });
  assert.deepEqual(report, {
    platform: 'win32',
    arch: 'x64',
    node: process.versions.node,
    koffi: koffiVersion,
    // Wine's screen is the Xvfb's: another size would mean another display.
    screen: { width: 1100, height: 700 },
    display: xvfb.display,
  });
});

test("a script's error is the run's error", async () => {
  await assert.rejects(wine.runNode(PROBE, { mode: 'throw' }), /the probe failed on purpose/);
});

test('a native crash ends the run with a failure, not a hang in the debugger', async () => {
  const started = performance.now();
  await assert.rejects(wine.runNode(PROBE, { mode: 'crash' }, { timeoutMs: 20_000 }), (err: Error) => {
    assert.doesNotMatch(err.message, /timed out/);
    assert.match(err.message, /exited with/);
    return true;
  });
  assert.ok(performance.now() - started < 20_000);
});
