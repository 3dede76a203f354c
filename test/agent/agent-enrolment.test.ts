/**
 * How a real agent process (the built `out/dev/agent.mjs`) is given its enrolment token: from a
 * file or standard input, never on its command line (where every user of the machine can read
 * it), and a token already used is refused with the relay's reason. No desktop is needed: these
 * agents enrol and connect, and are never asked to start a host.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { utmpFile } from '../platform/utmp-writer.js';
import { startAgent, type AgentProcess } from './agent-process.js';

let relay: TestRelay;
let dir: string;
const agents: AgentProcess[] = [];

function run(name: string, args: string[], stdin?: string): AgentProcess {
  const { DISPLAY: _, ...env } = process.env;
  const started = startAgent(
    ['--relay', relay.url, '--state-dir', path.join(dir, name), '--utmp', path.join(dir, 'utmp'), ...args],
    env,
    undefined,
    stdin,
  );
  agents.push(started);
  return started;
}

const newToken = () => relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Kiosks' }).token;

before(async () => {
  relay = await startTestRelay();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-agent-enrolment-'));
  await writeFile(path.join(dir, 'utmp'), utmpFile([]));
});

after(async () => {
  await Promise.all(agents.map((a) => a.killAll()));
  await relay?.close();
  await rm(dir, { recursive: true, force: true });
});

test('enrols with the token from a file, and again from standard input; a token used once is refused', async () => {
  const file = path.join(dir, 'enrolment-token');
  const token = newToken();
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  const fromFile = run('from-file', ['--enroll-file', file]);
  const [, first] = (await fromFile.waitFor(/ready as device (\w+)/, { timeoutMs: 20_000 })) as [string, string];
  assert.equal(relay.handle.agents.get(first)?.reportGroup, 'Kiosks');

  const fromStdin = run('from-stdin', ['--enroll-file', '-'], `${newToken()}\n`);
  const [, second] = (await fromStdin.waitFor(/ready as device (\w+)/, { timeoutMs: 20_000 })) as [string, string];
  assert.notEqual(second, first, 'a device of its own');

  // The first token once more, for another device: single-use, so spent, and the agent is told why.
  const again = run('again', ['--enroll-file', '-'], token);
  assert.deepEqual(await again.exited, { code: 3, signal: null });
  await again.waitFor(
    /the relay refused the enrolment \(403\): this enrolment token is used up \(it allowed 1 enrolment\)/,
  );
  assert.equal(relay.handle.agents.list().length, 2);
});

test('refuses a token on its command line, saying why and what to do instead, before enrolling anything', async () => {
  const before = relay.handle.agents.list().length;
  for (const args of [['--enroll', newToken()], [`--enroll=${newToken()}`]]) {
    const onArgv = run('argv', args);
    assert.deepEqual(await onArgv.exited, { code: 2, signal: null });
    await onArgv.waitFor(/the enrolment token is not taken on the command line: every user of this machine can read/);
    await onArgv.waitFor(/--enroll-file <file>, or pipe it in with --enroll-file -/);
  }
  const missing = run('missing', ['--enroll-file', path.join(dir, 'no-such-file')]);
  assert.deepEqual(await missing.exited, { code: 3, signal: null });
  await missing.waitFor(/cannot read the enrolment token from .*no-such-file \(ENOENT\)/);
  assert.equal(relay.handle.agents.list().length, before, 'nothing enrolled');
});
