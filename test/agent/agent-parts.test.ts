/**
 * The agent's pure parts: backoff, where a host runs, its command line, the state file, the
 * configuration file, the CLI's options.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Readable } from 'node:stream';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAgentArgs, TOKEN_ON_COMMAND_LINE, UsageError } from '../../src/agent/agent-args.js';
import { EnrolmentProblem } from '../../src/agent/enrolment.js';
import { readEnrolmentToken } from '../../src/agent/enrolment-token-input.js';
import { backoffDelay } from '../../src/agent/backoff.js';
import { AGENT_VERSION } from '../../src/agent/device-info.js';
import { chooseHostTarget } from '../../src/agent/host-target.js';
import { chooseLauncher } from '../../src/agent/launcher-choice.js';
import { waitForRelay } from '../../src/agent/relay-reachable.js';
import { readAgentState, writeAgentState } from '../../src/agent/state.js';
import { AgentConfigProblem, readAgentConfig } from '../../src/agent/config.js';
import { readVerificationEnv, VERIFICATION_ENV } from '../../src/shared/verification-policy.js';
import { chromiumHostCommand } from '../../dev/chromium-host/launcher.js';
import { electronHostCommand } from '../../src/agent/launcher/electron.js';
import { takeHostToken } from '../../src/shared/host-token-env.js';
import type { HostLaunchRequest } from '../../src/agent/launcher/launcher.js';
import { compareVersions } from '../../src/shared/calver.js';
import type { UserSession } from '../../src/shared/user-sessions.js';

test('backoff doubles up to 30 s, jittered within the upper half, never below it', () => {
  const ceilings = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
  ceilings.forEach((ceiling, attempt) => {
    assert.equal(
      backoffDelay(attempt, undefined, () => 0),
      ceiling / 2,
    );
    assert.equal(
      backoffDelay(attempt, undefined, () => 0.999_999),
      ceiling,
    );
  });
  assert.equal(
    backoffDelay(5_000, undefined, () => 0.5),
    22_500,
    'huge attempt counts stay at the cap',
  );
  const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(3)));
  assert.ok(draws.size > 10, 'two devices rarely wait the same time');
});

const sessions: UserSession[] = [
  { id: 'pts/3', user: 'bob', state: 'active', kind: 'remote' },
  { id: ':7', user: 'alice', state: 'active', kind: 'console', display: ':7' },
  { id: ':9', user: 'carol', state: 'disconnected', kind: 'remote', display: ':9' },
];

test("the host runs in the session asked for, else at the console, else on the agent's display", () => {
  assert.deepEqual(chooseHostTarget(sessions, ':9', ':0'), {
    ok: true,
    target: { userSessionId: ':9', user: 'carol', display: ':9' },
  });
  assert.deepEqual(chooseHostTarget(sessions, undefined, ':0'), {
    ok: true,
    target: { userSessionId: ':7', user: 'alice', display: ':7' },
  });
  assert.deepEqual(chooseHostTarget([sessions[0]!], undefined, ':0'), { ok: true, target: { display: ':0' } });
  assert.deepEqual(chooseHostTarget([], undefined, undefined), { ok: true, target: {} });
  // A session that is gone is an error, never someone else's desktop instead.
  assert.deepEqual(chooseHostTarget(sessions, ':8', ':0'), {
    ok: false,
    message: 'user session :8 is not on this device any more',
  });
});

const request: HostLaunchRequest = {
  sessionId: '123456789',
  mode: 'unattended',
  hostToken: 'flxra_host_secret_0123456789abcdef',
  display: ':7',
  relayUrl: 'http://127.0.0.1:7443',
  operator: { id: 'op1', name: 'Ada Lovelace', organisation: 'Help Desk' },
  verification: { required: true, unattended: 'view' },
};

test("launchers pass the token in the environment, never on the command line, and the session's display", () => {
  const base = { PATH: '/usr/bin', DISPLAY: ':0' };
  const electron = electronHostCommand('/opt/flxra/flxra', request, base);
  assert.deepEqual(electron, {
    file: '/opt/flxra/flxra',
    args: ['--host', '--relay', 'http://127.0.0.1:7443'],
    env: {
      PATH: '/usr/bin',
      DISPLAY: ':7',
      FLXRA_HOST_TOKEN: request.hostToken,
      FLXRA_VERIFICATION: '{"required":true,"unattended":"view"}',
    },
  });
  const chromium = chromiumHostCommand(request, base);
  assert.equal(chromium.env.FLXRA_HOST_TOKEN, request.hostToken);
  assert.equal(chromium.env.DISPLAY, ':7');
  for (const command of [electron, chromium]) {
    assert.ok(!command.args.some((a) => a.includes(request.hostToken)));
    // The host reads back the device's setting exactly as the agent's configuration has it.
    assert.deepEqual(readVerificationEnv(command.env), request.verification);
  }
  const { display: _, ...noDisplay } = request;
  assert.throws(() => chromiumHostCommand(noDisplay, base), /needs an X display/);
});

test('a host takes its token out of its environment, so what it starts does not inherit it', () => {
  const env: NodeJS.ProcessEnv = { FLXRA_HOST_TOKEN: 'tok', PATH: '/usr/bin' };
  assert.equal(takeHostToken(env), 'tok');
  assert.deepEqual(env, { PATH: '/usr/bin' });
  assert.equal(takeHostToken(env), undefined);
});

test("the agent reports package.json's calendar version", async () => {
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  assert.equal(AGENT_VERSION, pkg.version);
  assert.ok(compareVersions(AGENT_VERSION, '24.9.2') > 0, 'new enough for dynamic assistance');
});

test('the state file: written private and whole, read back, a damaged one is an error', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-agent-state-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await readAgentState(dir), null);
  const state = {
    relayUrl: 'http://127.0.0.1:7443',
    deviceId: 'abc',
    environmentId: 'default',
    reportGroup: 'Kiosks',
    enrolledAt: new Date().toISOString(),
  };
  await writeAgentState(path.join(dir, 'sub'), state);
  assert.deepEqual(await readAgentState(path.join(dir, 'sub')), state);
  assert.equal((await stat(path.join(dir, 'sub', 'agent.json'))).mode & 0o777, 0o600);
  await writeFile(path.join(dir, 'sub', 'agent.json'), '{"relayUrl":"nope"}');
  await assert.rejects(readAgentState(path.join(dir, 'sub')), /damaged/);
});

test("the configuration file: the device's own settings; none is the defaults, a mistake in it stops the agent", async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-agent-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'agent.json');
  assert.deepEqual(await readAgentConfig(file), { verification: { required: false, unattended: 'view' } });
  await writeFile(file, '{"verification":{"required":true}}');
  assert.deepEqual(await readAgentConfig(file), { verification: { required: true, unattended: 'view' } });
  await writeFile(file, '{"verification":{"required":true,"unattended":"control"}}');
  assert.deepEqual(await readAgentConfig(file), { verification: { required: true, unattended: 'control' } });
  // A misspelt setting would quietly leave the device with less checking than asked for.
  await writeFile(file, '{"verification":{"requried":true}}');
  await assert.rejects(
    readAgentConfig(file),
    (err: Error) => err instanceof AgentConfigProblem && /requried/.test(err.message),
  );
  await writeFile(file, '{"verification":{"required":"yes"}}');
  await assert.rejects(readAgentConfig(file), AgentConfigProblem);
  await writeFile(file, 'required = true');
  await assert.rejects(readAgentConfig(file), /is not JSON/);
  // A host given a damaged setting stops rather than run without the check.
  assert.throws(() => readVerificationEnv({ [VERIFICATION_ENV]: '{"required":1}' }), /not a verification policy/);
  assert.deepEqual(readVerificationEnv({}), { required: false, unattended: 'view' });
});

test('command line: enrolment reads its token from a file or stdin and needs a relay; launchers are named', () => {
  assert.deepEqual(
    parseAgentArgs([
      '--relay',
      'https://r:1',
      '--enroll-file',
      '/etc/flxra/enrolment-token',
      '--state-dir',
      '/s',
      '--launcher',
      'chromium',
      '--utmp',
      '/u',
      '--config',
      '/c/agent.json',
    ]),
    {
      relayUrl: 'https://r:1',
      enrolmentTokenFrom: '/etc/flxra/enrolment-token',
      stateDir: '/s',
      launcher: 'chromium',
      app: '/opt/flxra/flxra',
      configPath: '/c/agent.json',
      utmpPath: '/u',
    },
  );
  assert.equal(parseAgentArgs(['--relay', 'https://r:1', '--enroll-file', '-']).enrolmentTokenFrom, '-');
  // No --launcher: chosen when the agent starts (launcher-choice.ts); a relative state folder is made absolute.
  assert.equal(parseAgentArgs(['--state-dir', '/s']).launcher, undefined);
  assert.equal(parseAgentArgs(['--state-dir', 'here']).stateDir, path.resolve('here'));
  assert.throws(() => parseAgentArgs(['--enroll-file', '/t']), /--enroll-file needs --relay/);
  // The token itself on the command line, in any spelling: refused, saying why and what to do instead.
  for (const argv of [
    ['--relay', 'https://r:1', '--enroll', 'flxra_enrol_x'],
    ['--relay', 'https://r:1', '--enroll=flxra_enrol_x'],
    ['--relay', 'https://r:1', '--enroll'],
  ]) {
    assert.throws(
      () => parseAgentArgs(argv),
      (err: Error) => err instanceof UsageError && err.message === TOKEN_ON_COMMAND_LINE,
      argv.join(' '),
    );
  }
  assert.match(TOKEN_ON_COMMAND_LINE, /process's arguments.*--enroll-file <file>.*--enroll-file -/);
  assert.throws(() => parseAgentArgs(['--relay', 'not a url']), UsageError);
  // Plain http only to this computer (test/tls/relay-url.test.ts has the rule).
  assert.throws(() => parseAgentArgs(['--relay', 'http://r:1']), /--relay: flxra will not connect to http:\/\/r:1/);
  assert.equal(parseAgentArgs(['--relay', 'ws://127.0.0.1:1']).relayUrl, 'http://127.0.0.1:1');
  assert.throws(() => parseAgentArgs(['--launcher', 'firefox']), UsageError);
  assert.throws(() => parseAgentArgs(['--port', '80']), UsageError);
});

test('the enrolment token: the file holding it alone, or the first line of standard input', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-agent-token-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const token = `flxra_enrol_${'A'.repeat(43)}`;
  const file = path.join(dir, 'token');
  await writeFile(file, `  ${token}\n`, { mode: 0o600 });
  const noStdin = Readable.from([]);
  assert.equal(await readEnrolmentToken(file, noStdin), token);
  // Piped (a final newline or none) or typed at a terminal (the line ends the token; the rest is not read).
  assert.equal(await readEnrolmentToken('-', Readable.from([`${token}\n`])), token);
  assert.equal(await readEnrolmentToken('-', Readable.from([token.slice(0, 20), token.slice(20)])), token);
  assert.equal(await readEnrolmentToken('-', Readable.from([`${token}\nmore`, ' lines'])), token);

  await writeFile(path.join(dir, 'empty'), '\n');
  await writeFile(path.join(dir, 'two'), `${token}\n${token}\n`);
  for (const [source, stdin, message] of [
    [path.join(dir, 'missing'), noStdin, /cannot read the enrolment token from .*missing \(ENOENT\)/],
    [path.join(dir, 'empty'), noStdin, /no enrolment token in .*empty: it is empty/],
    [path.join(dir, 'two'), noStdin, /must hold the enrolment token alone/],
    ['-', Readable.from([]), /no enrolment token in standard input/],
  ] as const) {
    await assert.rejects(
      readEnrolmentToken(source, stdin),
      (err: Error) => err instanceof EnrolmentProblem && message.test(err.message),
    );
  }
});

test('without --launcher: the installed app, else the Chromium stand-in where the agent has it, said in one line', () => {
  const app = '/opt/flxra/flxra';
  const installed = (yes: boolean) => (file: string) => yes && file === app;
  const both = ['electron', 'chromium'] as const;
  assert.deepEqual(chooseLauncher({ app }, both, installed(true)), {
    kind: 'electron',
    line: 'hosts start as the flxra app, /opt/flxra/flxra',
  });
  const standIn = chooseLauncher({ app }, both, installed(false));
  assert.equal(standIn.kind, 'chromium');
  assert.match(
    standIn.line,
    /^hosts start in Chromium, the stand-in for the app: the app is not installed at \/opt\/flxra\/flxra/,
  );
  // The product agent has no stand-in: it says hosts cannot start, and what to do.
  const product = chooseLauncher({ app }, ['electron'], installed(false));
  assert.equal(product.kind, 'electron');
  assert.match(
    product.line,
    /^hosts cannot start yet: the flxra app is not installed at \/opt\/flxra\/flxra; install it/,
  );
  // Named, it is what is used, installed or not.
  assert.equal(chooseLauncher({ app, launcher: 'electron' }, both, installed(false)).kind, 'electron');
  assert.match(chooseLauncher({ app, launcher: 'electron' }, both, installed(false)).line, /which is not installed/);
  assert.equal(chooseLauncher({ app, launcher: 'chromium' }, both, installed(true)).kind, 'chromium');
});

test('before enrolling, a relay not answering yet is waited for, said in the log; any answer will do', async (t) => {
  // A port nothing listens on, until the agent has waited once.
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const lines: string[] = [];
  const waits: number[] = [];
  await waitForRelay(`http://127.0.0.1:${port}`, {
    log: (line) => lines.push(line),
    sleep: async (ms) => {
      waits.push(ms);
      if (waits.length === 2) await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
  });
  assert.equal(waits.length, 2);
  assert.ok(waits[0]! >= 500 && waits[1]! >= 1_000, 'the reconnection backoff');
  assert.equal(lines.length, 2);
  assert.match(
    lines[0]!,
    new RegExp(
      `^cannot reach the relay at http://127\\.0\\.0\\.1:${port} to enrol \\(.*ECONNREFUSED.*\\); trying again in \\d\\.\\d s$`,
    ),
  );
});
