/**
 * Under Wine's node.exe: the agent's client of the secure-desktop helper (src/platform/
 * secure-desktop/pipe-client.ts) against the real helper exe the test started. Reports what the
 * helper answered (hello, sessions, captures sampled at the test's points, a pointer move, SAS),
 * or what it did with a request that breaks the protocol, for test/windows/secure-desktop-wine.test.ts.
 */
import { connect } from 'node:net';
import { probe } from '../../../dev/wine/probe.js';
import { AgentSecureDesktop } from '../../../src/agent/agent-secure-desktop.js';
import { SecureDesktopStreamer } from '../../../src/agent/agent-secure-desktop-stream.js';
import type { SecureDesktopFrame } from '../../../src/shared/secure-desktop-stream.js';
import { connectHelper, type HelperClient } from '../../../src/platform/secure-desktop/pipe-client.js';
import { createCommandRunner } from '../../../src/platform/user-sessions/run-command.js';
import { createWindowsReader } from '../../../src/platform/user-sessions/windows.js';
import { PipeDecoder, type HelperMessage } from '../../../src/platform/secure-desktop/pipe-codec.js';

interface Input {
  pipe: string;
  mode: 'session' | 'oversize' | 'reader';
  /** The helper exe as Windows sees it (reader mode). */
  helper?: string;
  samples?: Array<{ x: number; y: number }>;
  moveTo?: { x: number; y: number };
}

async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  // The helper creates its pipe a moment after it starts.
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= 50 || !/ENOENT/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function session(input: Input) {
  const desktops: string[] = [];
  const client: HelperClient = await withRetry(() => connectHelper(input.pipe, { onDesktop: (d) => desktops.push(d) }));
  const sessions = await client.sessions();
  const sample = async () => {
    const frame = await client.capture();
    if (!frame.ok) return frame;
    const { width, height, left, top, pixels } = frame.value;
    const at = (input.samples ?? []).map(({ x, y }) => {
      const o = (y * width + x) * 4;
      return { b: pixels[o], g: pixels[o + 1], r: pixels[o + 2], a: pixels[o + 3] };
    });
    return { ok: true, width, height, left, top, bytes: pixels.length, at };
  };
  const capture = await sample();
  const move = input.moveTo ? await client.input({ kind: 'pointer', action: 'move', ...input.moveTo }) : undefined;
  // Only the helper's answer: under Wine an injected key reaches Wine's focused window only and
  // shows in no key state this windowless process can read (GetAsyncKeyState stays up).
  const VK_F7 = 0x76;
  const keyDown = await client.input({ kind: 'key', vk: VK_F7, scan: 0x41, down: true });
  const keyUp = await client.input({ kind: 'key', vk: VK_F7, scan: 0x41, down: false });
  const key = { down: keyDown, up: keyUp };
  const sas = await client.sas();
  // The agent's stream of the secure desktop, fed the helper's desktop event as Windows sends it
  // on a UAC prompt (Wine never switches desktops): the bands of its first capture, deflated, as the relay gets them.
  const states: boolean[] = [];
  const frames: SecureDesktopFrame[] = [];
  const streamer = new SecureDesktopStreamer('s1', client, {
    state: (_, up) => states.push(up),
    frame: (_, f) => frames.push(f),
    log: () => undefined,
  });
  // As the relay says once an operator is let in (agent:watched): before that nothing is captured.
  streamer.watch(true);
  streamer.desktop('Winlogon');
  const covered = () => frames.reduce((rows, f) => rows + f.rows, 0) >= (frames[0]?.height ?? Infinity);
  for (let i = 0; i < 250 && !covered(); i++) await new Promise((r) => setTimeout(r, 20));
  streamer.desktop('Default');
  streamer.close();
  const streamed = {
    states,
    frames: frames.map(({ data, ...f }) => ({ ...f, data: Buffer.from(data as Uint8Array).toString('base64') })),
  };
  // The agent's own module on Windows: without the assistance's helper, then with it (its refusal).
  const agentRefusals: Array<{ code: string; message: string }> = [];
  const agentSide = new AgentSecureDesktop({ refuse: (_, r) => agentRefusals.push(r), log: () => undefined });
  agentSide.input('s1', { kind: 'sas' });
  agentSide.attach('s1', client);
  agentSide.input('s1', { kind: 'sas' });
  for (let i = 0; i < 100 && agentRefusals.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  agentSide.ended('s1');
  return { hello: client.hello, sessions, capture, move, key, sas, desktops, agentRefusals, streamed };
}

/** A raw request header announcing a body longer than any request: the helper must refuse it. */
async function oversize(input: Input) {
  const socket = await withRetry(
    () =>
      new Promise<ReturnType<typeof connect>>((resolve, reject) => {
        const s = connect(input.pipe, () => resolve(s));
        s.once('error', reject);
      }),
  );
  const decoder = new PipeDecoder();
  const messages: HelperMessage[] = [];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => messages.push(...decoder.push(chunk)));
  socket.on('error', () => undefined);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(100_000, 0);
  head.writeUInt16LE(0x85, 4);
  head.writeUInt16LE(7, 6);
  socket.write(head);
  await closed;
  return messages.map((m) => ({
    kind: m.kind,
    id: 'id' in m ? m.id : undefined,
    code: 'code' in m ? m.code : undefined,
  }));
}

/** The agent's session reader with the helper as its WTS helper, run by Windows Node itself. */
async function reader(input: Input) {
  const run = createCommandRunner();
  const raw = await run(input.helper!, ['--sessions']);
  const sessions = await createWindowsReader({ run, helper: { file: input.helper!, args: ['--sessions'] } }).list();
  return { raw, sessions };
}

probe<Input, unknown>((input) =>
  input.mode === 'session' ? session(input) : input.mode === 'reader' ? reader(input) : oversize(input),
);
