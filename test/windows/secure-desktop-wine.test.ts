/**
 * The secure-desktop helper (native/secure-desktop/, built from source here with mingw) under
 * Wine, driven by the agent's own client (src/platform/secure-desktop/) in Wine's node.exe: its
 * hello and protocol version, the session list as the agent's reader parses it, a capture of the
 * default desktop checked against what is drawn on the Xvfb display, a pointer move read back
 * from the X server, SendSAS refused as data, and a request breaking the protocol refused.
 * What only Windows proves (desktop switching, SendSAS, the logon screen) is in docs/windows.md.
 */
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startTargetWindow } from '../../dev/rig/target-window.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { runX, setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { toWindowsPath } from '../../dev/wine/wine-paths.js';
import { startWineSession, type WineSession } from '../../dev/wine/wine-session.js';
import { bandSpan } from '../../src/shared/secure-desktop-stream.js';

const PROBE = 'test/windows/probes/secure-desktop-probe.ts';
const run = promisify(execFile);
const TARGET = { x: 500, y: 300, width: 120, height: 80 };

let xvfb: Xvfb;
let wine: WineSession;
let helperExe: string;
let target: ChildProcess;

before(async () => {
  // The project's own build, as CI runs it: the exe from the C source in the repository.
  const built = await run('bash', ['scripts/build-native.sh'], { timeout: 120_000 });
  helperExe = built.stdout.trim().split('\n').at(-1)!;
  xvfb = await startXvfb({ width: 800, height: 600 });
  wine = await startWineSession({ display: xvfb.display });
  setRootColour(xvfb, '#204080');
  target = await startTargetWindow(xvfb, TARGET);
});

after(async () => {
  target?.kill();
  await wine?.close();
  await xvfb?.close();
});

function startHelper(pipe = `\\\\.\\pipe\\flxra-desktop-test-${randomBytes(6).toString('hex')}`) {
  const child = wine.spawnExe(helperExe, ['--pipe', pipe]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // It says so once its pipe exists ("listening", a CRLF after it under Wine's msvcrt).
  const listening = new Promise<void>((resolve, reject) => {
    setTimeout(() => reject(new Error(`the helper did not say it was listening: ${stderr}`)), 15_000).unref();
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) resolve();
    });
  });
  return { pipe, exited, listening, stderr: () => stderr };
}

interface Pixel {
  r: number;
  g: number;
  b: number;
  a: number;
}
const rgb = (hex: number): Pixel => ({ r: hex >> 16, g: (hex >> 8) & 0xff, b: hex & 0xff, a: 255 });

test('the agent connects to the helper: hello, sessions, a capture of what the display shows, a pointer move, keys taken, SAS refused', async () => {
  const helper = startHelper();
  const moveTo = { x: 321, y: 123 };
  const report = await wine.runNode<{
    hello: Record<string, unknown>;
    sessions: { ok: boolean; value?: unknown };
    capture: { ok: boolean; width: number; height: number; left: number; top: number; bytes: number; at: Pixel[] };
    move: { ok: boolean };
    key: Record<string, unknown>;
    sas: { ok: boolean; code?: string; message?: string };
    agentRefusals: Array<{ code: string; message: string }>;
    streamed: {
      states: boolean[];
      frames: Array<{ width: number; height: number; y: number; rows: number; encoding: string; data: string }>;
    };
  }>(PROBE, {
    pipe: helper.pipe,
    mode: 'session',
    samples: [
      { x: 10, y: 10 },
      { x: 790, y: 590 },
      { x: TARGET.x + 60, y: TARGET.y + 40 },
      { x: TARGET.x + TARGET.width - 1, y: TARGET.y + TARGET.height - 1 },
    ],
    moveTo,
  });

  assert.equal(report.hello.protocol, 1);
  assert.equal(report.hello.helper, '1.0.0');
  assert.equal(report.hello.desktop, 'Default');
  assert.equal(report.hello.session, 1);
  // The DACL the helper set, read back from the pipe. Wine stores it but does not enforce it: this
  // node.exe runs as Wine's user, not SYSTEM, and was let in (docs/secure-desktop.md).
  assert.equal(report.hello.pipeSddl, 'D:P(A;;GA;;;SY)');

  // Wine's WTSEnumerateSessionsW lists no session: the contract's empty list, not an error.
  assert.deepEqual(report.sessions, { ok: true, value: [] });

  const { at, ...size } = report.capture;
  assert.deepEqual(size, { ok: true, width: 800, height: 600, left: 0, top: 0, bytes: 800 * 600 * 4 });
  assert.deepEqual(at, [rgb(0x204080), rgb(0x204080), rgb(TARGET_COLOURS.idle), rgb(TARGET_COLOURS.idle)]);

  assert.deepEqual(report.move, { ok: true, value: null });
  // The X server's own pointer, asked from Linux: the helper's SendInput moved it.
  const location = await runX(xvfb, 'xdotool', ['getmouselocation', '--shell']);
  assert.match(location, new RegExp(`^X=${moveTo.x}$`, 'm'));
  assert.match(location, new RegExp(`^Y=${moveTo.y}$`, 'm'));

  // Keys: the helper's SendInput took them (their effect is not observable under Wine, see the probe).
  assert.deepEqual(report.key, { down: { ok: true, value: null }, up: { ok: true, value: null } });

  // The agent's stream of a secure desktop (its desktop event simulated: Wine never switches):
  // up, then the bands of a capture of what the display shows (deflated BGRA, as the relay carries
  // them), put together at their rows, then gone.
  assert.deepEqual(report.streamed.states, [true, false]);
  const bands = report.streamed.frames;
  assert.ok(bands.length > 1, `an 800×600 capture goes as several bands (${bands.length})`);
  const bgra = Buffer.alloc(800 * 600 * 4);
  let nextRow = 0;
  for (const band of bands) {
    assert.deepEqual([band.width, band.height, band.encoding, band.y], [800, 600, 'bgra-deflate', nextRow]);
    const { offset, length } = bandSpan(band);
    const pixels = inflateSync(Buffer.from(band.data, 'base64'));
    assert.equal(pixels.length, length);
    pixels.copy(bgra, offset);
    nextRow += band.rows;
  }
  assert.equal(nextRow, 600, 'the bands cover the frame');
  const pixelAt = (x: number, y: number): Pixel => {
    const o = (y * 800 + x) * 4;
    return { r: bgra[o + 2]!, g: bgra[o + 1]!, b: bgra[o]!, a: bgra[o + 3]! };
  };
  assert.deepEqual(pixelAt(10, 10), rgb(0x204080));
  assert.deepEqual(pixelAt(TARGET.x + 60, TARGET.y + 40), rgb(TARGET_COLOURS.idle));

  assert.equal(report.sas.ok, false);
  assert.equal(report.sas.code, 'sas-unavailable');
  assert.match(report.sas.message!, /Ctrl\+Alt\+Del cannot be sent/);
  // The agent's module (agent-secure-desktop.ts) on Windows: no helper yet, then the helper's own
  // refusal, each worded for the operator's toolbar.
  assert.deepEqual(report.agentRefusals, [
    {
      code: 'sas-unavailable',
      message:
        "Ctrl+Alt+Del was not sent: the device's secure-desktop helper is not running, so it cannot reach the sign-in screen.",
    },
    {
      code: 'sas-unavailable',
      message: 'Ctrl+Alt+Del was not sent: Wine has no SendSAS, so Ctrl+Alt+Del cannot be sent here.',
    },
  ]);

  // One client per helper: when the agent closes the pipe, the helper's job is over.
  assert.equal(await helper.exited, 0, helper.stderr());
});

test('the capture follows the display: another root colour, another frame', async () => {
  setRootColour(xvfb, '#c03010');
  const helper = startHelper();
  const report = await wine.runNode<{ capture: { at: Pixel[] } }>(PROBE, {
    pipe: helper.pipe,
    mode: 'session',
    samples: [
      { x: 10, y: 10 },
      { x: TARGET.x + 60, y: TARGET.y + 40 },
    ],
  });
  assert.deepEqual(report.capture.at, [rgb(0xc03010), rgb(TARGET_COLOURS.idle)]);
  assert.equal(await helper.exited, 0, helper.stderr());
});

test('a request longer than any the helper takes is refused and the pipe closed', async () => {
  const helper = startHelper();
  const messages = await wine.runNode<unknown[]>(PROBE, { pipe: helper.pipe, mode: 'oversize' });
  assert.deepEqual(messages, [
    { kind: 'hello', id: 0 },
    { kind: 'error', id: 7, code: 'bad-request' },
  ]);
  assert.equal(await helper.exited, 1);
});

test("the helper's --sessions is the WTS helper the agent's session reader runs", async () => {
  const report = await wine.runNode<{ raw: { code: number; stdout: string }; sessions: unknown[] }>(PROBE, {
    mode: 'reader',
    helper: toWindowsPath(helperExe),
  });
  assert.equal(report.raw.code, 0);
  assert.equal(report.raw.stdout.trim(), '[]');
  assert.deepEqual(report.sessions, []);
});

test('nobody can take the pipe over: a second server of its name fails while the helper serves it', async () => {
  const helper = startHelper();
  await helper.listening;
  // One instance, created with FILE_FLAG_FIRST_PIPE_INSTANCE: another process cannot serve the same name.
  const squatter = startHelper(helper.pipe);
  assert.equal(await squatter.exited, 2);
  assert.match(squatter.stderr(), /cannot create the pipe \(error 231\)/); // ERROR_PIPE_BUSY
  // The helper itself still answers its client.
  const messages = await wine.runNode<unknown[]>(PROBE, { pipe: helper.pipe, mode: 'oversize' });
  assert.deepEqual(messages, [
    { kind: 'hello', id: 0 },
    { kind: 'error', id: 7, code: 'bad-request' },
  ]);
  assert.equal(await helper.exited, 1);
});
