/**
 * The task manager's "End tree" through the Flexxible Tools' panel, end to end in Chromium on the Xvfb rig, on the
 * device's real /proc backend: a test process tree (a shell and the two children it started) is found by filter, its
 * confirmation's "Cancel" ends nothing, and "End the tree" ends every process of it (read from /proc).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { until } from '../../dev/rig/until.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { openToolsSession } from '../fixtures/tools-session.js';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 800 });
});
after(() => xvfb?.close());

/** /proc's state and parent of a process; null once it is gone. */
function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state = '', ppid = ''] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}
/** Running: in /proc and not a zombie waiting for its parent to collect it. */
const alive = (pid: number) => (stat(pid)?.state ?? 'Z') !== 'Z';
const childrenOf = (pid: number) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => stat(p)?.ppid === pid);

test('"End tree" ends a shell and both its children after its confirmation; "Cancel" ends nothing', async (t) => {
  // The shell's own command line tells it from its children (theirs is "sleep 321.5").
  const shell = spawn('sh', ['-c', 'sleep 321.5 & sleep 321.5 & wait'], { stdio: 'ignore' });
  const root = shell.pid!;
  let children: number[] = [];
  await until('the shell started both children', () => (children = childrenOf(root)).length === 2);
  const tree = [root, ...children];
  t.after(() => {
    for (const pid of tree) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  const { page, panel, deviceCalls } = await openToolsSession(t, xvfb.display);
  await panel.getByRole('button', { name: 'Task manager', exact: true }).click();
  const rows = page.locator('table.processes tbody tr');
  const filter = page.getByLabel('Filter processes');

  // The whole tree is listed; the parent alone is found by its command line.
  await filter.fill('sleep 321.5');
  for (const pid of tree) await page.locator(`tr[data-pid="${pid}"]`).waitFor();
  assert.equal(await rows.count(), 3);
  await filter.fill('sleep 321.5 & sleep');
  const parent = page.locator(`tr[data-pid="${root}"]`);
  await parent.waitFor();
  assert.equal(await rows.count(), 1);
  assert.match((await parent.textContent()) ?? '', /^\d+sh/);

  const dialog = page.getByRole('alertdialog', { name: 'Confirm ending the process' });
  const question = `End sh (PID ${root}) and every process it started? Unsaved work in it is lost.`;
  await parent.getByRole('button', { name: 'End tree' }).click();
  await dialog.getByText(question, { exact: true }).waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  // Requests reach the device in order: once a list asked for after "Cancel" is there, any end would be too.
  const lists = () => deviceCalls().filter((r) => r.type === 'processes.list').length;
  const listsAtCancel = lists();
  await until('a refresh after "Cancel" reached the device', () => lists() > listsAtCancel, { timeoutMs: 10_000 });
  assert.equal(deviceCalls().filter((r) => r.type === 'processes.kill').length, 0, '"Cancel" asked for nothing');
  assert.deepEqual(tree.filter(alive), tree, '"Cancel" ended nothing');
  await parent.waitFor();

  await parent.getByRole('button', { name: 'End tree' }).click();
  await dialog.getByText(question, { exact: true }).waitFor();
  await dialog.getByRole('button', { name: 'End the tree' }).click();
  await page.getByTestId('tool-notice').getByText(`Ended sh (PID ${root}) and 2 more.`, { exact: true }).waitFor();
  await until('every process of the tree gone', () => tree.every((pid) => !alive(pid)), { timeoutMs: 5_000 });
  assert.deepEqual(
    deviceCalls().flatMap((r) => (r.type === 'processes.kill' ? [[r.pid, r.tree]] : [])),
    [[root, true]],
  );
  await parent.waitFor({ state: 'detached' });
  await filter.fill('sleep 321.5');
  await rows.first().waitFor({ state: 'detached' });
});
