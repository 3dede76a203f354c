/**
 * The Linux task manager on this machine's real /proc: a process started for the test is listed with its name,
 * user, memory, start time and command line; a busy one shows CPU % and an idle one does not; ending a process tree
 * leaves none of it within 2 s, even a grandchild whose parent already exited; a process already gone, the agent
 * itself and init are refusals.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { after, test } from 'node:test';
import { createProcessBackend } from '../../src/platform/tools/processes/index.js';
import { parseCmdline, parseProcStat, type ProcStat } from '../../src/platform/tools/processes/linux-proc.js';
import { killTree, treeMembers } from '../../src/platform/tools/processes/linux-tree.js';
import { until } from '../../dev/rig/until.js';

const started: ChildProcess[] = [];
// Whatever a failing test left behind, grandchildren included.
after(() => Promise.all(started.map((c) => (c.pid ? killTree(c.pid) : Promise.resolve(undefined)))));

function start(script: string): { child: ChildProcess; marker: string } {
  const marker = `flxra-test-${randomUUID()}`;
  // The marker rides in $0, so it is in the command line of the shell and of the subshells it forks.
  const child = spawn('bash', ['-c', script, marker], { stdio: 'ignore' });
  started.push(child);
  return { child, marker };
}

/** /proc read synchronously, for the polling waits. */
function snapshot(): ProcStat[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((n) => {
      try {
        return [parseProcStat(readFileSync(`/proc/${n}/stat`, 'utf8'))].filter((s): s is ProcStat => !!s);
      } catch {
        return [];
      }
    });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('stat lines: a name with spaces and parentheses, a kernel thread, a command line with spaces', () => {
  const line = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 12 3 0 0 20 0 1 0 5000 1000 250 18446744';
  assert.deepEqual(parseProcStat(line), {
    pid: 4242,
    comm: 'my (odd) name',
    state: 'S',
    ppid: 1,
    pgrp: 4242,
    session: 4242,
    cpuTicks: 15,
    startTicks: 5000,
    rssPages: 250,
  });
  assert.equal(parseProcStat('garbage'), undefined);
  assert.equal(parseCmdline(''), null, 'a kernel thread has no command line');
  assert.equal(parseCmdline('ls\0-l\0my file\0'), 'ls -l "my file"');
});

test('a process started for the test is listed with its details, and CPU % tells a busy one from an idle one', async () => {
  const idle = start('sleep 300; :');
  const busy = start('while :; do :; done');
  const backend = createProcessBackend('linux');
  const first = await backend.list();
  assert.ok(first.ok);
  const second = await backend.list();
  assert.ok(second.ok);
  const row = (pid: number | undefined) => second.value.processes.find((p) => p.pid === pid);
  const idleRow = row(idle.child.pid);
  const busyRow = row(busy.child.pid);
  assert.ok(idleRow && busyRow, 'both test processes are listed');
  assert.equal(idleRow.ppid, process.pid);
  assert.equal(idleRow.user, userInfo().username);
  assert.match(idleRow.commandLine ?? '', new RegExp(idle.marker));
  assert.ok((idleRow.memoryBytes ?? 0) > 0, 'resident memory is read');
  const startedAgo = Date.now() - Date.parse(idleRow.startTime ?? '');
  assert.ok(startedAgo >= -2000 && startedAgo < 60_000, `start time ${idleRow.startTime} is about now`);
  assert.ok((busyRow.cpuPercent ?? 0) > 1, `a busy loop uses CPU (${busyRow.cpuPercent} %)`);
  assert.ok((idleRow.cpuPercent ?? 1) < (busyRow.cpuPercent ?? 0), 'sleeping uses less than spinning');
  assert.deepEqual(second.value.unreadable, []);
});

test('ending a process tree ends every child and grandchild within 2 s', async () => {
  // A child, and a subshell with a grandchild.
  const tree = start('sleep 300 & (sleep 300 & wait) & wait');
  const root = tree.child.pid!;
  const members = await until('the tree is up', () => {
    const members = treeMembers(root, snapshot(), false);
    return members.length >= 4 ? members : undefined;
  });
  assert.ok(members.length >= 4, `root, two children and a grandchild: ${members.join(', ')}`);
  const backend = createProcessBackend('linux');
  const t0 = performance.now();
  const killed = await backend.kill(root, { tree: true });
  const took = performance.now() - t0;
  assert.ok(killed.ok, killed.ok ? '' : killed.refusal.message);
  assert.equal(killed.value.name, 'bash');
  assert.equal(killed.value.ended[0], root);
  for (const pid of members) assert.ok(killed.value.ended.includes(pid), `${pid} was ended`);
  // Each by name, as /proc had it (the subshell is a bash too), for the audit.
  const names = new Map(killed.value.names?.map((n) => [n.pid, n.name]));
  assert.deepEqual([...names.keys()], killed.value.ended);
  assert.equal(names.get(root), 'bash');
  assert.equal([...names.values()].filter((n) => n === 'sleep').length, 2);
  assert.ok(took < 2000, `gone within 2 s (${Math.round(took)} ms)`);
  for (const pid of members) assert.ok(!alive(pid) || snapshot().find((s) => s.pid === pid)?.state === 'Z');
});

test('ending one process leaves its children; a process already gone, the agent and init are refusals', async () => {
  const backend = createProcessBackend('linux');
  const single = start('sleep 300');
  const pid = single.child.pid!;
  // bash execs the last command in place; until it has, the process is still named bash.
  await until("bash has exec'd sleep", () => snapshot().find((s) => s.pid === pid)?.comm === 'sleep');
  const killed = await backend.kill(pid, { tree: false });
  assert.ok(killed.ok);
  assert.deepEqual(killed.value.ended, [pid]);
  assert.deepEqual(killed.value.names, [{ pid, name: 'sleep' }]);
  await until('the test reaped it', () => single.child.exitCode !== null || single.child.signalCode !== null);
  const again = await backend.kill(pid, { tree: false });
  assert.equal(!again.ok && again.refusal.code, 'process-gone');
  const self = await backend.kill(process.pid, { tree: true });
  assert.equal(!self.ok && self.refusal.code, 'bad-input');
  const init = await backend.kill(1, { tree: false });
  assert.equal(!init.ok && init.refusal.code, 'bad-input');
});

test('a tree member the account may not signal is reported and never left frozen', async () => {
  const tree = start('sleep 300 & wait');
  const root = tree.child.pid!;
  const child = await until('the child is up', () => {
    const stats = snapshot();
    return stats.find((s) => s.ppid === root && s.comm === 'sleep')?.pid;
  });
  const sent: [number, string][] = [];
  const result = await killTree(root, {
    signal: (pid, sig) => {
      if (pid === child) throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      sent.push([pid, sig]);
      process.kill(pid, sig);
    },
  });
  assert.deepEqual(result, { ended: [root], denied: [child], names: new Map([[root, 'bash']]) });
  assert.deepEqual(sent, [
    [root, 'SIGSTOP'],
    [root, 'SIGKILL'],
  ]);
  assert.ok(alive(child), 'the member it may not signal still runs, and was not stopped');
  process.kill(child, 'SIGKILL');
});
