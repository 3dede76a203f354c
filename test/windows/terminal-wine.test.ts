/**
 * The tools panel's CMD terminal (src/platform/tools/terminal/windows.ts) run for real under Wine's node.exe:
 * node-pty's win32 build starts cmd.exe, the operator's typing reaches it and its output comes back, a resize
 * changes where lines wrap, and `exit` ends the terminal. Wine reports a Windows 10 build but has no ConPTY: the
 * backend must notice and take node-pty's winpty path; the ConPTY path is run too, to show it does not work here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WineSession } from '../../dev/wine/wine-session.js';
import { wineDesktop } from './wine-desktop.js';

const PROBE = 'test/windows/probes/terminal-probe.ts';
// 90 characters: wider than the 80 columns the terminal opens with, narrower than the 100 it is resized to.
const LINE = `${'x'.repeat(45)}${'y'.repeat(45)}`;
let wine: WineSession;
// winpty's agent keeps a hidden console window: Wine needs a display for it.
wineDesktop({ width: 800, height: 600 }, (started) => (wine = started));

interface Session {
  release: string;
  wine: boolean;
  conptyByRelease: boolean;
  conpty: boolean;
  prompt: boolean;
  typed?: unknown;
  narrow?: string;
  resized?: unknown;
  badResize?: unknown;
  wide?: string;
  ended?: unknown;
  afterExit?: unknown;
  output: string;
  opened?: unknown;
}

test('a CMD terminal under Wine: typing, output, resize, exit (the winpty path, chosen by the backend)', async () => {
  const s = await wine.runNode<Session>(PROBE, { mode: 'winpty', line: LINE, waitMs: 8_000 }, { timeoutMs: 45_000 });
  assert.equal(s.opened, undefined, JSON.stringify(s.opened));
  // os.release() alone would pick ConPTY: the backend knows it is under Wine and does not.
  assert.deepEqual([s.wine, s.conptyByRelease, s.conpty], [true, true, false], s.release);
  assert.ok(s.prompt, `cmd.exe showed its prompt: ${JSON.stringify(s.output)}`);
  assert.deepEqual(s.typed, { ok: true });
  assert.match(
    s.output,
    /\r\nhello from Windows_NT\r\n/,
    'echo ran in cmd.exe (%OS% expanded) and its output came back',
  );
  // At 80 columns the 90-character line wraps; after the resize to 100 it fits on one line.
  assert.ok(!s.narrow!.includes(`\r\n${LINE}\r\n`), `wrapped at 80 columns: ${JSON.stringify(s.narrow)}`);
  assert.match(s.narrow!, new RegExp(`\\r\\n${LINE.slice(0, 80)}\\r\\n${LINE.slice(80)}\\r\\n`));
  assert.deepEqual(s.resized, { ok: true });
  assert.equal((s.badResize as { refusal?: { code: string } }).refusal?.code, 'bad-input');
  assert.ok(s.wide!.includes(`\r\n${LINE}\r\n`), `one line at 100 columns: ${JSON.stringify(s.wide)}`);
  assert.deepEqual(s.ended, { exitCode: 7 }, '`exit 7` ended the terminal with its code');
  assert.deepEqual(s.afterExit, {
    ok: false,
    refusal: { code: 'shell-ended', message: 'The shell of this terminal has ended: open a new terminal.' },
  });
});

test('ConPTY under Wine: the shell ends at once without a prompt (why the backend takes winpty there)', async () => {
  const s = await wine.runNode<Session>(PROBE, { mode: 'conpty', line: LINE, waitMs: 5_000 }, { timeoutMs: 30_000 });
  assert.equal(s.prompt, false, JSON.stringify(s.output));
  assert.notEqual(s.ended, undefined, 'the ConPTY shell ended by itself');
});
