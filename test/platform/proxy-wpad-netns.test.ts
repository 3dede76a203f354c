/**
 * Automatic detection (WPAD) with a real `wpad` host name: a network namespace per case, whose
 * /etc/netns/<name>/hosts names `wpad` (or only `wpad.corp.test`, with resolv.conf's `search
 * corp.test`), so that the name resolves there and nowhere else. Inside it
 * (wpad-in-namespace.ts) a WPAD server on port 80 names a tinyproxy, and the resolution, given no
 * setting and no system proxy, must find the PAC file by that name, choose the proxy it names,
 * and the request to the relay must go through it. Needs root (namespaces, port 80), as the
 * rig's other namespace tests do.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';

const exec = promisify(execFile);

interface Outcome {
  candidates: string[];
  resolution: { ok: boolean; choice?: { kind: string; source: string; url?: string; proxy?: string; reason: string } };
  proxyUrl: string;
  answer: unknown;
  connects: string[];
  relayTarget: string;
}

async function inNamespace(files: { hosts: string; resolvConf: string }): Promise<Outcome> {
  const name = `flxra-wpad-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const etc = `/etc/netns/${name}`;
  await mkdir(etc, { recursive: true });
  await writeFile(`${etc}/hosts`, files.hosts);
  await writeFile(`${etc}/resolv.conf`, files.resolvConf);
  await exec('ip', ['netns', 'add', name]);
  try {
    await exec('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    const { stdout } = await exec(
      'ip',
      ['netns', 'exec', name, process.execPath, '--import', 'tsx', 'test/platform/wpad-in-namespace.ts'],
      { timeout: 60_000 },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as Outcome;
  } finally {
    await exec('ip', ['netns', 'del', name]).catch(() => undefined);
    await rm(etc, { recursive: true, force: true });
  }
}

function assertThroughWpad(outcome: Outcome, pacUrl: string): void {
  assert.equal(outcome.resolution.ok, true, JSON.stringify(outcome.resolution));
  const choice = outcome.resolution.choice!;
  assert.deepEqual([choice.kind, choice.source, choice.url, choice.proxy], ['pac', 'wpad', pacUrl, outcome.proxyUrl]);
  assert.equal(outcome.answer, 'relay answered');
  // The resolution's probe and the request itself, both tunnelled to the relay by the proxy WPAD named.
  assert.deepEqual(outcome.connects, [outcome.relayTarget, outcome.relayTarget]);
}

test('a `wpad` name in the namespace: http://wpad/wpad.dat is found and its proxy used', async () => {
  const outcome = await inNamespace({
    hosts: '127.0.0.1 localhost\n127.0.0.1 wpad\n',
    resolvConf: 'nameserver 127.0.0.1\n',
  });
  assert.deepEqual(outcome.candidates, ['http://wpad/wpad.dat']);
  assertThroughWpad(outcome, 'http://wpad/wpad.dat');
  assert.doesNotMatch(outcome.resolution.choice!.reason, /failed/, 'the first address answered');
});

test("only wpad.<search domain> there: the bare name fails, the DNS suffix's variant is found", async () => {
  const outcome = await inNamespace({
    hosts: '127.0.0.1 localhost\n127.0.0.1 wpad.corp.test\n',
    resolvConf: 'nameserver 127.0.0.1\nsearch lab.corp.test\n',
  });
  assert.deepEqual(outcome.candidates, [
    'http://wpad/wpad.dat',
    'http://wpad.lab.corp.test/wpad.dat',
    'http://wpad.corp.test/wpad.dat',
  ]);
  assertThroughWpad(outcome, 'http://wpad.corp.test/wpad.dat');
  assert.match(outcome.resolution.choice!.reason, /automatic detection \(WPAD\): http:\/\/wpad\/wpad\.dat failed \(/);
  assert.match(outcome.resolution.choice!.reason, /http:\/\/wpad\.lab\.corp\.test\/wpad\.dat failed \(/);
});
