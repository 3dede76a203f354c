/**
 * A host the agent starts, behind an authenticating proxy whose password only the agent holds:
 * the real agent process (out/dev/agent.mjs) with Proxy_Url's password moved to its keychain,
 * a real relay behind a forwarder that tells tinyproxy's connections (from 127.0.0.2) from direct
 * ones, Debian's tinyproxy with Basic authentication, and the host the agent starts (the Chromium
 * stand-in, dev/chromium-host/host.ts: the app's host role and resolution under plain Node) on
 * an Xvfb desktop. The host is handed the password over its inherited pipe
 * (src/shared/proxy-handover.ts) and reaches the relay through the proxy; the password is in no
 * environment or command line of the host and its children (/proc/<pid>/environ, cmdline), and in
 * no line the agent or the host wrote. A host started by hand with the same user-only setting has
 * no password: its window says why, and nothing reaches the relay, not even directly.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { utmpFile } from '../platform/utmp-writer.js';
import {
  cleanEnv,
  relayBehindForwarder,
  startEnrolledAgent,
  type RelayBehindForwarder,
} from '../fixtures/proxied-relay.js';
import { PROXIED_FROM, startTinyproxy, type Tinyproxy } from '../fixtures/tinyproxy.js';
import { startShellCommand, type AgentProcess } from './agent-process.js';
import { childrenOf } from './proc-sockets.js';

const USER = 'desk';
// tinyproxy's BasicAuth takes letters, digits, - and _ only.
const PASSWORD = 'Only-the_agent7';
/** Every form the password could leak in: as is, URL-encoded, and inside a Basic header. */
const FORMS = [PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];

let xvfb: Xvfb;
let rig: RelayBehindForwarder;
let proxy: Tinyproxy;
let relayUrl: string;
let dir: string;
const processes: AgentProcess[] = [];

/** `pid` and every process below it. */
function tree(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(tree)];
}

/** A /proc file of a process as text (NULs as spaces); empty when it exited meanwhile. */
function procText(pid: number, file: 'environ' | 'cmdline'): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`).toString('utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function leaks(text: string): string[] {
  return FORMS.filter((form) => text.includes(form));
}

before(async () => {
  xvfb = await startXvfb({ width: 800, height: 500 });
  rig = await relayBehindForwarder();
  relayUrl = rig.relayUrl;
  proxy = await startTinyproxy({ basicAuth: { user: USER, password: PASSWORD } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-host-proxy-'));
  await writeFile(
    path.join(dir, 'utmp'),
    utmpFile([{ pid: process.pid, line: xvfb.display, user: 'alice', host: xvfb.display }]),
  );
});

after(async () => {
  await Promise.all(processes.map((p) => p.killAll()));
  await proxy?.close();
  await rig?.close();
  await xvfb?.close();
  await rm(dir, { recursive: true, force: true });
});

test("the agent's host is handed the proxy password over its pipe: through the proxy, and the password in no environment, argv or log", async () => {
  const config = path.join(dir, 'agent.json');
  await writeFile(config, JSON.stringify({ Proxy_Url: `http://${USER}:${PASSWORD}@127.0.0.1:${proxy.port}` }), {
    mode: 0o600,
  });
  const agent = await startEnrolledAgent(rig, dir, 'state', [
    '--config',
    config,
    '--app',
    path.join(dir, 'no-app-installed'),
  ]);
  processes.push(agent);
  const [, deviceId] = (await agent.waitFor(/ready as device (\w+)/, { timeoutMs: 30_000 })) as [string, string];
  await agent.waitFor(/the proxy password in Proxy_Url in .*agent\.json was moved to the keychain/);

  const from = rig.forwarder.sources.length;
  const fromLine = agent.mark();
  const response = await rig.relay.requestAssistance({ deviceId, mode: 'attended', userSessionId: xvfb.display });
  const [, hostPid] = (await agent.waitFor(
    new RegExp(`started the host for session ${response.sessionId} \\(pid (\\d+) on`),
    { from: fromLine, timeoutMs: 30_000 },
  )) as [string, string];
  // The host's own resolution, with the handed password: the proxy answered the CONNECT it sent with it.
  await agent.waitFor(
    new RegExp(`\\[host\\] the proxy password for http://127\\.0\\.0\\.1:${proxy.port} was handed over by the agent`),
    { from: fromLine, timeoutMs: 30_000 },
  );
  await agent.waitFor(
    new RegExp(
      `\\[host\\] relay connection: through the proxy http://127\\.0\\.0\\.1:${proxy.port} \\(source: setting\\)`,
    ),
    { from: fromLine },
  );
  // In the relay's assistance: the user is told who asked, over the host's relay connection.
  await agent.waitFor(/shown host-requested: Remote assistance was requested by Ada Lovelace/, {
    from: fromLine,
    timeoutMs: 30_000,
  });
  const sources = rig.forwarder.sources.slice(from);
  assert.ok(sources.length >= 1, 'the host reached the relay');
  assert.deepEqual(new Set(sources), new Set([PROXIED_FROM]), 'every connection came through tinyproxy');

  // The host and every process under it (Node, Chromium and its helpers): no password in environ or cmdline.
  const pids = tree(Number(hostPid));
  assert.ok(pids.length >= 2, `the host and its Chromium: ${pids.join(', ')}`);
  for (const pid of pids)
    for (const file of ['environ', 'cmdline'] as const)
      assert.deepEqual(leaks(procText(pid, file)), [], `/proc/${pid}/${file}`);
  // What the host was given instead: the user-only setting and the descriptor's number.
  const hostEnv = procText(Number(hostPid), 'environ');
  assert.match(hostEnv, new RegExp(`FLXRA_PROXY_URL=http://${USER}@127\\.0\\.0\\.1:${proxy.port} `));
  assert.match(hostEnv, /FLXRA_PROXY_HANDOVER_FD=3 /);
  // The agent itself never had it in its environment or argv either; nobody logged it.
  assert.deepEqual(leaks(procText(agent.pid, 'environ') + procText(agent.pid, 'cmdline')), []);
  assert.deepEqual(
    agent.lines.filter((l) => leaks(l).length > 0),
    [],
  );
  await agent.killAll();
});

test('a host started by hand with the user-only setting: its window says the password is the agent’s, and nothing goes around the proxy', async () => {
  const from = rig.forwarder.sources.length;
  const connects = (await proxy.connects()).length;
  const host = startShellCommand(
    `exec "${process.execPath}" --import tsx dev/chromium-host/host.ts --relay ${relayUrl}`,
    cleanEnv({
      DISPLAY: xvfb.display,
      FLXRA_HOST_TOKEN: 'started-by-hand',
      FLXRA_PROXY_URL: `http://${USER}@127.0.0.1:${proxy.port}`,
    }),
    process.cwd(),
  );
  processes.push(host);
  // (Its first screen is the page's own "Connecting…", before the host's state.)
  const [shown] = await host.waitFor(/shown host-connecting,relay-route: Cannot reach your help desk.*/, {
    timeoutMs: 30_000,
  });
  assert.match(
    shown,
    new RegExp(
      `The proxy http://127\\.0\\.0\\.1:${proxy.port} needs the password of its user ${USER}, which only this computer's flxra agent holds, and it was not handed to this window \\(it was not started by the agent\\)\\. flxra does not go around the proxy`,
    ),
  );
  // A moment for anything that would connect anyway.
  await new Promise((r) => setTimeout(r, 1_000));
  assert.deepEqual(rig.forwarder.sources.slice(from), [], 'nothing reached the relay, directly or not');
  assert.equal((await proxy.connects()).length, connects, 'nothing asked the proxy either');
  await host.killAll();
});
