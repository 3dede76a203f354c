/**
 * Enrolment tokens count their uses: one enrolment by default, as many as the administrator
 * asked for otherwise (`uses`, `relay enrolment create --uses N`), and a token used up is refused
 * saying so, even to agents racing for its last use.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { enrol, relayFor, REPORT } from './fake-agents.js';

const run = promisify(execFile);

const request = (enrolmentToken: string, hostname = REPORT.hostname) => ({
  enrolmentToken,
  hostname,
  os: REPORT.os,
  agentVersion: REPORT.agentVersion,
});

const usedUp = (allowed: string) => ({
  status: 403,
  body: {
    error: {
      code: 'enrolment-refused',
      message: `this enrolment token is used up (it allowed ${allowed}): ask your administrator for a new one`,
    },
  },
});

test('an enrolment token enrols one device by default; a second enrolment is refused, saying why', async (t) => {
  const relay = await relayFor(t);
  const issued = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Kiosks' });
  assert.equal(issued.uses, 1);
  const first = await enrol(relay, request(issued.token, 'kiosk-1'));
  assert.equal(first.status, 201);
  assert.deepEqual(await enrol(relay, request(issued.token, 'kiosk-2')), usedUp('1 enrolment'));
  assert.deepEqual(
    relay.handle.agents.list().map((d) => d.hostname),
    ['kiosk-1'],
  );
  // A revoked one is refused as before, used or not: nothing about it to learn.
  relay.handle.enrolment.revoke(issued.id);
  assert.match(JSON.stringify((await enrol(relay, request(issued.token))).body), /invalid, expired or revoked/);
});

test('a token made for N devices enrols N, and agents racing for the last use get it once', async (t) => {
  const relay = await relayFor(t);
  const three = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Kiosks', uses: 3 });
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, i) => enrol(relay, request(three.token, `kiosk-${i}`))),
  );
  assert.equal(answers.filter((a) => a.status === 201).length, 3);
  for (const refused of answers.filter((a) => a.status !== 201)) assert.deepEqual(refused, usedUp('3 enrolments'));
  assert.equal(relay.handle.agents.list().length, 3);
  // A hostname the registry cannot name the device with is refused before a use is spent on it.
  const one = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Kiosks' });
  assert.equal((await enrol(relay, request(one.token, 'h'.repeat(256)))).status, 400);
  assert.equal((await enrol(relay, request(one.token))).status, 201);
  assert.throws(() => relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'K', uses: 0 }), /1 to/);
});

test('relay enrolment create: single-use by default, --uses N for more, and it says how to hand the token over', async (t) => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'flxra-enrol-uses-'));
  t.after(() => rm(data, { recursive: true, force: true }));
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/relay/cli.ts', 'enrolment', 'create', '--data', data, ...args]);
  const single = await cli('--group', 'Kiosks');
  assert.match(single.stdout, /uses: +1 enrolment\n/);
  assert.match(single.stdout, /--enroll-file <file>/);
  assert.doesNotMatch(single.stdout, /--enroll </);
  const two = await cli('--group', 'Kiosks', '--uses', '2');
  assert.match(two.stdout, /uses: +2 enrolments\n/);
  await assert.rejects(cli('--group', 'Kiosks', '--uses', '0'), /invalid --uses "0"/);
  await assert.rejects(cli('--group', 'Kiosks', '--uses', 'many'), /invalid --uses "many"/);

  const relay = await relayFor(t, { dataDir: data });
  const token = /token: +(\S+)/.exec(two.stdout)![1]!;
  for (const hostname of ['a', 'b']) assert.equal((await enrol(relay, request(token, hostname))).status, 201);
  assert.deepEqual(await enrol(relay, request(token, 'c')), usedUp('2 enrolments'));
});
