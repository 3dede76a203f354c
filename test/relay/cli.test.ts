/** The relay command, run as people run it: a child process with arguments, stdout and exit code. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { connectClient } from '../../dev/rig/relay.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const TIMEOUT_MS = 10_000;

function relayCommand(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli.ts', ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects the output until the process exits; kills it if it runs past the timeout. */
function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay command still running after ${TIMEOUT_MS} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function run(args: string[], env?: Record<string, string>): Promise<Finished> {
  return finished(relayCommand(args, env));
}

/** Resolves with the first stdout line matching; the child keeps running. */
function lineMatching(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing ${pattern}; stdout: ${seen}`)));
  });
}

describe('relay CLI', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-cli-test-'));
  });
  afterEach(() => fs.rm(dataDir, { recursive: true, force: true }));

  it('serves until SIGINT, then disconnects clients, says so and exits 0', async () => {
    const child = relayCommand(['serve', '--port', '0', '--data', dataDir]);
    const done = finished(child);
    try {
      const [, url, data] = await lineMatching(
        child,
        /flxra relay listening on (http:\/\/127\.0\.0\.1:\d+) \(data: (.+)\)\n/,
      );
      assert.equal(data, dataDir);
      const host = await connectClient(url!, { role: 'host', deviceName: 'CLI test' });
      const { sessionId } = await host.next('host:ready');
      assert.match(sessionId, /^\d{9}$/);
      const disconnected = new Promise((resolve) => host.socket.once('disconnect', resolve));
      child.kill('SIGINT');
      const result = await done;
      await disconnected;
      assert.deepEqual({ code: result.code, signal: result.signal }, { code: 0, signal: null }, result.stderr);
      assert.match(result.stdout, /\nflxra relay stopped\n$/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('adds an operator, printing the token once, then lists and removes it', async () => {
    // FLXRA_RELAY_DATA stands in for --data here.
    const added = await run(['operator', 'add', '--name', 'Ada Lovelace', '--org', 'Help Desk'], {
      FLXRA_RELAY_DATA: dataDir,
    });
    assert.equal(added.code, 0, added.stderr);
    const id = /id: +([0-9a-f]{12})\n/.exec(added.stdout)?.[1];
    const token = /token: +(flxra_op_\S+)\n/.exec(added.stdout)?.[1];
    assert.ok(id && token, added.stdout);
    assert.ok(token.startsWith(`flxra_op_${id}_`));
    assert.match(added.stdout, /name: +Ada Lovelace\n {2}organisation: +Help Desk\n/);
    assert.match(added.stdout, /will not be shown again/);

    const listed = await run(['operator', 'list', '--data', dataDir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${id}  Ada Lovelace  \\(Help Desk\\)  added \\d{4}-`));
    assert.ok(!listed.stdout.includes(token.slice(9)), 'list shows the token');

    const removed = await run(['operator', 'remove', id, '--data', dataDir]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, new RegExp(`operator ${id} removed`));
    const again = await run(['operator', 'remove', id, '--data', dataDir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`no operator with id ${id}`));
    assert.equal((await run(['operator', 'list', '--data', dataDir])).stdout, 'no operators registered\n');
  });

  it('adds a device, printing the token once, then lists and removes it', async () => {
    const added = await run(['device', 'add', '--name', 'Kiosk 7', '--data', dataDir]);
    assert.equal(added.code, 0, added.stderr);
    const id = /id: +([0-9a-f]{12})\n/.exec(added.stdout)?.[1];
    const token = /token: +(flxra_dev_\S+)\n/.exec(added.stdout)?.[1];
    assert.ok(id && token, added.stdout);
    assert.ok(token.startsWith(`flxra_dev_${id}_`));
    assert.match(added.stdout, /will not be shown again/);

    const listed = await run(['device', 'list', '--data', dataDir]);
    assert.match(listed.stdout, new RegExp(`^${id}  Kiosk 7  added \\d{4}-`));
    assert.ok(!listed.stdout.includes(token.slice(10)), 'list shows the token');

    assert.match((await run(['device', 'remove', id, '--data', dataDir])).stdout, new RegExp(`device ${id} removed`));
    const again = await run(['device', 'remove', id, '--data', dataDir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`no device with id ${id}`));
    assert.equal((await run(['device', 'list', '--data', dataDir])).stdout, 'no devices registered\n');
  });

  it('prints the signing key fingerprint, the one the relay then serves and publishes', async () => {
    const first = await run(['key', 'fingerprint', '--data', dataDir]);
    assert.equal(first.code, 0, first.stderr);
    const [, kid, fingerprint] =
      /^key id: +(\S+)\nfingerprint: +((?:[0-9A-F]{4} ){15}[0-9A-F]{4})\n$/.exec(first.stdout) ?? [];
    assert.ok(kid && fingerprint, first.stdout);
    assert.equal(
      (await run(['key', 'fingerprint', '--data', dataDir])).stdout,
      first.stdout,
      'the same key every time',
    );

    const child = relayCommand([
      'serve',
      '--port',
      '0',
      '--data',
      dataDir,
      '--public-url',
      'https://relay.example.org',
    ]);
    const done = finished(child);
    try {
      const [, url, served] = await lineMatching(
        child,
        /listening on (http:\/\/127\.0\.0\.1:\d+) .*\nactivation key fingerprint: (.+)\n/,
      );
      assert.equal(served, fingerprint);
      const keys = (await (await fetch(`${url}/.well-known/flxra-keys`)).json()) as {
        relay: string;
        keys: Array<{ kid: string; fingerprint: string }>;
      };
      assert.deepEqual(
        [keys.relay, keys.keys[0]?.kid, keys.keys[0]?.fingerprint],
        ['https://relay.example.org', kid, fingerprint],
      );
      child.kill('SIGINT');
      assert.equal((await done).code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to serve with names that would make invalid activation files', async () => {
    const result = await run(['serve', '--port', '0', '--data', dataDir, '--public-url', 'not a url', '--env', '']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /invalid relay settings for activation files \(relay: .*; env: /);
  });

  it('rejects bad arguments with exit code 2 and the usage', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /missing command/],
      [['launch'], /unknown command "launch"/],
      [['serve', '--port', 'http'], /invalid port "http"/],
      [['serve', '--verbose'], /Unknown option '--verbose'/],
      [['serve', '--host-grace', 'a minute'], /invalid --host-grace "a minute": whole seconds/],
      [['serve', '--trusted-proxies', '10.0.0.0/8,proxy.lan'], /invalid trusted proxy "proxy.lan"/],
      [['serve', '--max-queued-kb', '0'], /invalid --max-queued-kb "0": a whole number above 0/],
      [['serve', '--redis', '127.0.0.1:6379'], /invalid --redis "127.0.0.1:6379": redis:\/\//],
      [['serve', '--database', 'postgres://db/flxra'], /--database postgres:\/\/… is not available yet/],
      [['operator', 'add', '--name', 'Ada Lovelace'], /operator add needs --org/],
      [['operator', 'remove'], /operator remove needs exactly one operator id/],
      [['device', 'add'], /device add needs --name/],
      [['device', 'add', '--name', '  '], /invalid --name: a name cannot be empty or only spaces/],
      [['enrolment', 'create', '--group', 'g'.repeat(256)], /invalid --group: a name has at most 255 characters/],
      [['device', 'remove', 'a', 'b'], /device remove needs exactly one device id/],
      [['keys', 'spin'], /unknown keys command "spin"/],
      [['keys', 'revoke'], /keys revoke needs exactly one key id/],
    ];
    // Three at a time: each is a Node start-up, and nine at once on two busy cores can outlast the timeout.
    const results: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < cases.length; i += 3) {
      const batch = cases.slice(i, i + 3).map(([args]) => run(args, { FLXRA_RELAY_DATA: dataDir }));
      results.push(...(await Promise.all(batch)));
    }
    results.forEach((result, i) => {
      const [args, message] = cases[i]!;
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /\nusage:\n/);
      assert.equal(result.stdout, '');
    });
  });
});
