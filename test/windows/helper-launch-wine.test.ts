/**
 * The agent starting the secure-desktop helper (src/agent/helper/), under Wine with the helper
 * built from source: the launcher's real Win32 calls (OpenProcessToken, DuplicateTokenEx,
 * SetTokenInformation TokenSessionId, CreateProcessAsUserW on winsta0\winlogon) start the exe in
 * the console's session, the supervisor connects the agent's pipe client (hello, sessions, a
 * capture), starts it again after it is ended from outside, and stops it with the agent (its
 * pipe closed, the helper gone). Wine has one session: asked for another, it accepts the token's
 * move and still starts the helper in session 1, which the launcher catches and refuses in words.
 * What only Windows proves (another session, SYSTEM's rights, the logon screen) is docs/windows.md's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { toWindowsPath } from '../../dev/wine/wine-paths.js';
import type { WineSession } from '../../dev/wine/wine-session.js';
import { wineDesktop } from './wine-desktop.js';

const PROBE = 'test/windows/probes/helper-launch-probe.ts';
let wine: WineSession;
let exe: string;

wineDesktop({ width: 800, height: 600 }, async (w) => {
  wine = w;
  // The project's own build, as CI runs it.
  const built = await promisify(execFile)('bash', ['scripts/build-native.sh'], { timeout: 120_000 });
  exe = toWindowsPath(built.stdout.trim().split('\n').at(-1)!);
});

interface Supervised {
  answer: { ok: boolean };
  console: number;
  first: { pid: number; hello: Record<string, unknown>; sessions: unknown; session: number };
  killed: boolean;
  second: { pid: number; hello: Record<string, unknown>; starts: number; capture: unknown };
  afterStop: { status: unknown; running: boolean[]; stopMs: number; pipeClosed: boolean };
  log: string[];
}

test("the agent starts the helper in the console's session, talks to it, starts it again when it is killed, and stops it", async () => {
  const r = await wine.runNode<Supervised>(PROBE, { mode: 'supervise', exe }, { timeoutMs: 60_000 });
  assert.deepEqual(r.answer, { ok: true });
  assert.equal(r.console, 1, "Wine's console session");
  // Started by CreateProcessAsUserW with the moved token: Windows and the helper itself place it in session 1.
  assert.equal(r.first.session, 1);
  assert.equal(r.first.hello.session, 1);
  assert.equal(r.first.hello.pid, r.first.pid, 'the pipe is served by the process the launcher started');
  assert.equal(r.first.hello.protocol, 1);
  assert.equal(r.first.hello.pipeSddl, 'D:P(A;;GA;;;SY)');
  // Its desktop is the input desktop it follows (Wine has only Default), not the winlogon it was started on.
  assert.equal(r.first.hello.desktop, 'Default');
  assert.deepEqual(r.first.sessions, { ok: true, value: [] }, "Wine's WTSEnumerateSessionsW lists none");

  // Ended from outside (TerminateProcess by another process): a new helper, a new pid, attached again.
  assert.equal(r.killed, true);
  assert.notEqual(r.second.pid, r.first.pid);
  assert.equal(r.second.hello.pid, r.second.pid);
  assert.equal(r.second.starts, 2);
  assert.deepEqual(r.second.capture, { width: 800, height: 600 });
  assert.ok(
    r.log.some((l) => /closed its pipe|exited with code/.test(l) && /starting it again/.test(l)),
    r.log.join('\n'),
  );

  // Stopped with the agent: the pipe closed, the helper exited by itself (well within the 3 s
  // after which it would be ended).
  assert.equal(r.afterStop.status, null);
  assert.deepEqual(r.afterStop.running, [false, false]);
  assert.ok(r.afterStop.stopMs < 3_000, `stopped in ${r.afterStop.stopMs} ms`);
  assert.equal(r.afterStop.pipeClosed, true);
});

test('a helper Windows starts in another session than asked is ended and refused in words', async () => {
  const r = await wine.runNode<{ session: number; refused?: Record<string, unknown>; started?: unknown }>(PROBE, {
    mode: 'launch',
    exe,
    session: 2,
  });
  // Wine answers success to SetTokenInformation(TokenSessionId = 2) and to CreateProcessAsUserW,
  // and runs it in session 1.
  assert.equal(r.started, undefined);
  assert.deepEqual(r.refused, {
    name: 'HelperLaunchRefused',
    step: 'CreateProcessAsUserW',
    win32: 0,
    message: 'Windows started the helper in session 1, not in session 2 as its token said; it was ended.',
  });
});

test('started in its own session, the launcher reports no refusal on the way', async () => {
  const r = await wine.runNode<{ started?: { notes: string[]; code: number } }>(PROBE, {
    mode: 'launch',
    exe,
    session: 1,
  });
  assert.ok(r.started, JSON.stringify(r));
  // SeTcbPrivilege enabled and the token moved without complaint (Wine's answers; Windows' as
  // LocalSystem: the manual script).
  assert.deepEqual(r.started.notes, []);
  // Ended by the launcher's kill (TerminateProcess with 1).
  assert.equal(r.started.code, 1);
});
