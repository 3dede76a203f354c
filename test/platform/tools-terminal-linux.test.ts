/**
 * Linux terminals for real: a login shell in a pty as the agent's account (`id -u`, UTF-8 both ways, resize seen by
 * `stty size`, the exit code), the same as another account when the agent is root (setpriv: the user's UID and
 * groups, none of root's), refusals in words (PowerShell missing, an account that cannot sign in, an unknown one,
 * another account when the agent is not root, typing into an ended shell), and ending a terminal: the shell, a job
 * in its own process group, a grandchild and an orphan left to init are all gone within 2 s. Finally a shell that
 * prints far faster than the panel reads stays within its stream's window and loses nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { AccountDirectory, getentPasswd } from '../../src/platform/tools/linux-accounts.js';
import { parseProcStat } from '../../src/platform/tools/processes/linux-proc.js';
import { createTerminalBackend, type Terminal } from '../../src/platform/tools/terminal/index.js';
import { createLinuxTerminalBackend } from '../../src/platform/tools/terminal/linux.js';
import { streamTerminal } from '../../src/platform/tools/terminal/terminal-stream.js';
import { StreamReceiver, utf8Length, type StreamChunk } from '../../src/shared/tool-streams.js';
import { until } from '../../dev/rig/until.js';

const opened: Terminal[] = [];
after(() => Promise.all(opened.map((t) => t.kill())));

const isRoot = process.getuid?.() === 0;
const agent = { kind: 'agent' as const };

async function open(backend = createTerminalBackend('linux'), request = {}) {
  const r = await backend.open({ slot: 'cmd', account: agent, cols: 80, rows: 24, ...request });
  assert.ok(r.ok, r.ok ? '' : r.refusal.message);
  opened.push(r.value);
  let output = '';
  r.value.onData((d) => (output += d));
  return { terminal: r.value, output: () => output };
}

/** A session's live processes (zombies are dead), from /proc; only those of one program when `comm` is given. */
function sessionMembers(sid: number, comm?: string): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((n) => {
      try {
        const s = parseProcStat(readFileSync(`/proc/${n}/stat`, 'utf8'));
        return s && s.session === sid && s.state !== 'Z' && (!comm || s.comm === comm) ? [s.pid] : [];
      } catch {
        return [];
      }
    });
}

test("a login shell as the agent's account: id -u, UTF-8 both ways, resize, the exit code", async () => {
  const { terminal, output } = await open();
  assert.equal(terminal.account.kind, 'agent');
  assert.equal(terminal.account.name, userInfo().username);
  assert.match(terminal.warnings[0]!, /shows them to nobody/);
  terminal.write(
    'echo "uid=$(id -u) login=$(shopt -q login_shell && echo yes)"; echo "naïve 日本 😀" | od -An -tx1 | tr -d " \\n"; echo\r',
  );
  await until('the answer', () => output().includes(`uid=${process.getuid!()} login=yes`), { seen: output });
  // The bytes the shell received: "naïve 日本 😀\n" in UTF-8.
  const hex = Buffer.from('naïve 日本 😀\n').toString('hex');
  await until('the UTF-8 bytes', () => output().includes(hex), { seen: output });
  terminal.write('printf "\\xe2\\x9c\\x93 ok\\n"\r');
  await until('UTF-8 output', () => output().includes('✓ ok'), { seen: output });
  assert.ok(terminal.resize(132, 50).ok);
  terminal.write('stty size\r');
  await until('the new size', () => output().includes('50 132'), { seen: output });
  assert.equal(terminal.resize(0, 5).ok, false);
  const exited = new Promise((resolve) => terminal.onExit(resolve));
  terminal.write('exit 7\r');
  assert.deepEqual(await exited, { exitCode: 7 });
  const late = terminal.write('ls\r');
  assert.equal(!late.ok && late.refusal.code, 'shell-ended');
  assert.equal(!terminal.resize(80, 24).ok && 'refused', 'refused');
});

test('PowerShell without pwsh, an account that cannot sign in, an unknown one: refusals in words', async () => {
  const backend = createLinuxTerminalBackend({ env: { PATH: mkdtempSync(path.join(tmpdir(), 'no-pwsh-')) } });
  const ps = await backend.open({ slot: 'powershell', account: agent, cols: 80, rows: 24 });
  assert.deepEqual(ps, {
    ok: false,
    refusal: { code: 'not-installed', message: 'PowerShell is not installed on this device.' },
  });
  const nologin = await backend.open({ slot: 'cmd', account: { kind: 'user', user: 'nobody' }, cols: 80, rows: 24 });
  assert.equal(!nologin.ok && nologin.refusal.code, 'account-cannot-sign-in');
  assert.match(!nologin.ok ? nologin.refusal.message : '', /nobody cannot sign in/);
  const unknown = await backend.open({
    slot: 'cmd',
    account: { kind: 'user', user: 'no-such-user-x' },
    cols: 80,
    rows: 24,
  });
  assert.equal(!unknown.ok && unknown.refusal.code, 'no-such-account');
  const odd = await backend.open({ slot: 'cmd', account: { kind: 'user', user: '-x' }, cols: 80, rows: 24 });
  assert.equal(!odd.ok && odd.refusal.code, 'bad-input');
});

test('an agent that is not root opens no other account', async () => {
  // The agent's UID as a non-root service account would have it; nobody's entry given a real shell.
  const accounts = new AccountDirectory(async (key) =>
    key === '1234' ? 'svc:x:1234:1234::/tmp:/bin/sh' : key === 'nobody' ? 'nobody:x:65534:65534::/tmp:/bin/sh' : null,
  );
  const backend = createLinuxTerminalBackend({ accounts, uid: 1234 });
  const r = await backend.open({ slot: 'cmd', account: { kind: 'user', user: 'nobody' }, cols: 80, rows: 24 });
  assert.deepEqual(r, {
    ok: false,
    refusal: {
      code: 'account-not-allowed',
      message: 'The agent runs as svc, not as root, so it can only open terminals as svc.',
    },
  });
});

test(
  "as root, a user's shell runs with the user's UID, group and groups, never root's",
  { skip: !isRoot && 'needs root' },
  async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'user-home-'));
    // nobody, with a shell it could sign in with (its real one is nologin): a real setuid, on any machine.
    const accounts = new AccountDirectory((key) =>
      key === 'nobody' ? Promise.resolve(`nobody:x:65534:65534::${home}:/bin/sh`) : getentPasswd(key),
    );
    const backend = createLinuxTerminalBackend({ accounts });
    const { terminal, output } = await open(backend, {
      account: { kind: 'user', user: 'nobody' },
      desktop: { DISPLAY: ':42', FLXRA_SECRET: 'never' },
    });
    assert.deepEqual(terminal.account, { kind: 'user', name: 'nobody' });
    assert.deepEqual(terminal.warnings, []);
    terminal.write(
      'echo "who=$(id -u):$(id -g) groups=[$(id -G)] home=$HOME display=$DISPLAY secret=$FLXRA_SECRET."\r',
    );
    await until('the answer', () => /who=\d+:\d+ groups=\[[^\]]*\] home=\S+ display=\S* secret=\S*\./.exec(output()), {
      seen: output,
    });
    const [, who, groups] = /who=(\d+:\d+) groups=\[([^\]]*)\]/.exec(output())!;
    assert.equal(who, '65534:65534');
    assert.ok(!groups!.split(' ').includes('0'), `no root group among ${groups}`);
    assert.match(output(), new RegExp(`home=${home} display=:42 secret=\\.`));
  },
);

test('ending a terminal ends the shell, its jobs, a grandchild and an orphan within 2 s', async () => {
  const { terminal } = await open();
  const sid = terminal.pid;
  // A job (its own process group under job control), a grandchild, an orphan whose parent exits at once.
  terminal.write('sleep 300 & (sleep 301 & wait) & (sleep 302 &); echo STARTED\r');
  const sleeps = await until(
    'the jobs are up',
    () => sessionMembers(sid, 'sleep').length === 3 && sessionMembers(sid, 'sleep'),
    {
      seen: () => sessionMembers(sid),
    },
  );
  const t0 = performance.now();
  const killed = await terminal.kill();
  const took = performance.now() - t0;
  assert.ok(killed.allGone, 'everything went');
  for (const pid of [sid, ...sleeps]) assert.ok(killed.ended.includes(pid), `${pid} was ended`);
  assert.deepEqual(sessionMembers(sid), [], 'nothing of the session is left');
  assert.ok(took < 2000, `within 2 s (${Math.round(took)} ms)`);
  assert.ok(terminal.exit, 'the exit was reported');
});

test('what a shell left running after its own exit goes when the terminal is ended', async () => {
  const { terminal, output } = await open();
  const sid = terminal.pid;
  terminal.write('(sleep 303 &); echo LEFT\r');
  await until('the orphan is up', () => output().includes('LEFT') && sessionMembers(sid).length >= 2);
  const exited = new Promise((r) => terminal.onExit(r));
  terminal.write('exit\r');
  await exited;
  assert.equal(sessionMembers(sid).length, 1, 'the orphan outlived the shell');
  const killed = await terminal.kill();
  assert.ok(killed.allGone);
  assert.deepEqual(sessionMembers(sid), []);
});

test('a flood of output stays within the stream window, pauses the shell, and arrives whole', async () => {
  const { terminal } = await open();
  const limits = { windowBytes: 16 * 1024, maxChunkBytes: 4 * 1024 };
  const receiver = new StreamReceiver('output', limits);
  let received = '';
  const inbox: StreamChunk[] = [];
  let maxUnacknowledged = 0;
  let maxHeld = 0;
  const stream = streamTerminal(terminal, (c) => inbox.push(c), limits);
  let paused = 0;
  const pause = terminal.pause.bind(terminal);
  terminal.pause = () => (paused++, pause());
  // 300 000 Q (octal 121, so the command's echo holds none), then END (octal too). The shell stays: plain
  // node-pty loses up to a few KiB that a shell printed just before it exits (the pty hangs up), flow control or not.
  terminal.write("stty -echo; head -c 300000 /dev/zero | tr '\\0' '\\121'; printf '\\105\\116\\104'\r");
  // The panel reads slowly: a chunk every 3 ms, some 1.3 MiB/s.
  while (!received.includes('END')) {
    maxUnacknowledged = Math.max(maxUnacknowledged, stream.sender.unacknowledged);
    maxHeld = Math.max(maxHeld, stream.sender.heldBack);
    const chunk = inbox.shift();
    if (!chunk) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    const got = receiver.receive(chunk);
    assert.ok(got.ok, got.ok ? '' : got.refusal.message);
    received += got.value.data;
    const grant = receiver.consumed(utf8Length(got.value.data));
    if (grant) assert.ok(stream.grant(grant.bytes).ok);
    await new Promise((r) => setTimeout(r, 3));
  }
  stream.stop();
  assert.equal(received.split('Q').length - 1, 300_000, 'every byte arrived once');
  assert.ok(maxUnacknowledged <= limits.windowBytes, `at most a window in flight (${maxUnacknowledged})`);
  assert.ok(paused > 0, 'the pty was paused while the panel lagged');
  // Held back: the window that tripped the pause, plus what the pty had already read (its buffer, 64 KiB at most).
  assert.ok(maxHeld < limits.windowBytes + 128 * 1024, `what waits on the device is bounded (${maxHeld})`);
});
