/**
 * The Flexxible Tools' side panel, end to end in Chromium on the Xvfb rig, on the whole real path: the operator app's
 * main-process modules (OperatorController, OperatorTools, the IPC table), a real relay checking every request
 * against the policy, and a real device agent carrying the tools on the Linux backends
 * (test/fixtures/tools-session.ts).
 * A terminal opened in the panel runs `id -u` (the agent's account; the signed-in user's in a user shell) and its
 * output is read from the panel; copy and paste go through main's clipboard; it resizes with the window; two tabs; the
 * user's indicator lists the open tools and closes one; a shell that exits and the assistance's end each leave a clear
 * ended state, the shell's tree gone within 2 s; the task manager finds a test process by filter and ends it; the
 * registry and PowerShell say what Linux lacks; each step audited. A role the policy gives one tool and not another
 * gets the other disabled with its reason, and the policy switching the tool off closes its open terminal. The
 * registry editor runs on a recorded Windows (the real reg.exe backend, reg.exe's answers replayed): a lazy tree,
 * typed values, a form that refuses what a type cannot hold, a change only after its confirmation, an export handed to
 * main's save dialog.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, until } from '../../dev/rig/until.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { openToolsSession } from '../fixtures/tools-session.js';
import { firstAdmin } from '../fixtures/console.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { createRegistryBackend } from '../../src/platform/tools/registry/index.js';
import type { RawRunner } from '../../src/platform/tools/windows-console.js';
import { AccountDirectory, getentPasswd } from '../../src/platform/tools/linux-accounts.js';
import { createLinuxTerminalBackend } from '../../src/platform/tools/terminal/linux.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
});
after(() => xvfb?.close());

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

/** The text the shown terminal tab displays (xterm's rows), one line per row. */
const shownTerminal = (page: Page) =>
  page.evaluate(() => {
    const rows = document.querySelector('[data-testid="terminal-tab"]:not([hidden]) .xterm-rows');
    return [...(rows?.children ?? [])].map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd());
  });

async function waitForLine(page: Page, test: (line: string) => boolean, what: string): Promise<string[]> {
  let lines: string[] = [];
  await eventually(what, async () => {
    lines = await shownTerminal(page);
    return lines.some(test);
  }).catch((err: Error) => {
    throw new Error(`${err.message}; the terminal shows:\n${lines.join('\n')}`);
  });
  return lines;
}

async function typeInTerminal(page: Page, text: string) {
  await page.locator('[data-testid="terminal-tab"]:not([hidden]) .xterm-box').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** The terminal's `stty size`, as its shell reports it. */
async function sttySize(page: Page, marker: string): Promise<{ rows: number; cols: number }> {
  await typeInTerminal(page, `echo ${marker}-$(stty size | tr ' ' x)`);
  const lines = await waitForLine(page, (l) => new RegExp(`^${marker}-\\d+x\\d+$`).test(l), `stty size ${marker}`);
  const [rows, cols] = lines
    .find((l) => l.startsWith(`${marker}-`))!
    .slice(marker.length + 1)
    .split('x')
    .map(Number);
  return { rows: rows!, cols: cols! };
}

test('the tools panel: terminals, the task manager, what Linux lacks, and the ended states', async (t) => {
  // The signed-in user: nobody, given a shell it could sign in with (its own is nologin), when the test runs as root.
  const home = mkdtempSync(path.join(tmpdir(), 'panel-user-'));
  const accounts = new AccountDirectory((key) =>
    key === 'nobody' ? Promise.resolve(`nobody:x:65534:65534::${home}:/bin/sh`) : getentPasswd(key),
  );
  const asRoot = process.getuid!() === 0;
  const session = await openToolsSession(t, xvfb.display, {
    backends: { terminals: createLinuxTerminalBackend({ accounts }) },
    userSessions: [{ id: '2', user: 'nobody', state: 'active', kind: 'console', display: xvfb.display }],
  });
  const { relay, host, page, panel, sessionId } = session;
  const operator = session.rig.operator;
  await page.getByTestId('remote-screen').waitFor();
  const trail = (action: string) => relay.handle.audit.query({ sessionId }).filter((e) => e.action === action);

  // A terminal: the agent's account (this test's), its output read in the panel; xterm's styles break no CSP rule.
  const violations: string[] = [];
  page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && violations.push(m.text())));
  await page.evaluate(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy: ${e.violatedDirective}`),
    ),
  );
  await panel.getByRole('button', { name: 'CMD', exact: true }).click();
  await page.getByTestId('terminal-account').waitFor();
  await typeInTerminal(page, 'id -u; echo ready-$((6*7))');
  const uid = String(process.getuid!());
  const lines = await waitForLine(page, (l) => l === 'ready-42', 'the shell answers');
  assert.ok(lines.includes(uid), `id -u printed ${uid}: ${lines.join('|')}`);
  assert.deepEqual(violations, [], 'the terminal opened under the strict CSP without a violation');
  // The user's indicator says a command prompt is open.
  await host.page.getByTestId('open-tools').getByRole('button', { name: 'Command prompt ✕' }).waitFor();

  // Paste (Ctrl+Shift+V) from the system clipboard, and copy (Ctrl+Shift+C) a selection to it, through main.
  operator.desktop.clipboard = 'echo pasted-$((2+3))';
  await page.locator('[data-testid="terminal-tab"]:not([hidden]) .xterm-box').click();
  await page.keyboard.press('Control+Shift+V');
  await page.keyboard.press('Enter');
  await waitForLine(page, (l) => l === 'pasted-5', 'the pasted command answers');
  const out = page.locator('[data-testid="terminal-tab"]:not([hidden]) .xterm-rows > div', { hasText: /^pasted-5$/ });
  // The row itself is under xterm's screen, which takes the mouse: a double click there selects the word.
  const box = (await out.boundingBox())!;
  await page.mouse.dblclick(box.x + 12, box.y + box.height / 2);
  await page.keyboard.press('Control+Shift+C');
  await until('the selection copied', () => operator.desktop.clipboard === 'pasted-5', {
    seen: () => operator.desktop.clipboard,
  });

  // The agent's shell warns that windows it opens are seen by nobody, and offers the user's shell, which is the user's.
  await page.getByTestId('terminal-warning').first().waitFor();
  await page.getByRole('button', { name: 'Open as the signed-in user (nobody)' }).click();
  const userTab = page.getByRole('tab', { name: /^CMD 2 \(nobody\)/ });
  await userTab.waitFor();
  if (asRoot) {
    await page.getByTestId('terminal-account').getByText('Runs as nobody (the signed-in user)').waitFor();
    await typeInTerminal(page, 'echo user-$(id -u)');
    await waitForLine(page, (l) => l === 'user-65534', "the user's shell answers");
  } else
    await page
      .getByTestId('tool-refused')
      .getByText(/can only open terminals as/)
      .waitFor();
  await page.getByRole('tab', { name: 'CMD 1' }).click();

  // Resize: the panel's terminal follows the window, and the shell is told.
  const before = await sttySize(page, 'size1');
  await page.setViewportSize({ width: 1000, height: 600 });
  await eventually('the shell is told the new size', async () => {
    const now = await sttySize(page, `size${Date.now() % 100000}`);
    return now.cols < before.cols && now.rows < before.rows;
  });
  assert.ok(
    session.deviceCalls().some((r) => r.type === 'terminal.resize'),
    'the device was told',
  );
  await page.setViewportSize({ width: 1280, height: 800 });

  // A second tab, its own shell: tab 1's output is not in it.
  await panel.getByRole('button', { name: 'CMD', exact: true }).click();
  await page.getByRole('tab', { name: 'CMD 3' }).waitFor();
  await page.locator('[data-testid="terminal-tab"]:not([hidden])').getByTestId('terminal-account').waitFor();
  await typeInTerminal(page, 'echo two-$((6*8))');
  const two = await waitForLine(page, (l) => l === 'two-48', 'tab 2 answers');
  assert.ok(!two.includes('ready-42'), 'each tab has its own output');
  // Its shell exits: the tab says it ended.
  await typeInTerminal(page, 'exit 3');
  await page.getByTestId('terminal-ended').getByText('Ended: The shell ended (exit code 3).').waitFor();
  await page.getByRole('tab', { name: 'CMD 1' }).click();

  // The task manager: a test process found by filter, ended after the confirmation, gone.
  const victim = spawn('sleep', ['317.5'], { stdio: 'ignore' });
  t.after(() => victim.kill('SIGKILL'));
  await panel.getByRole('button', { name: 'Task manager', exact: true }).click();
  await page.getByLabel('Filter processes').fill('sleep 317.5');
  const row = page.locator(`tr[data-pid="${victim.pid}"]`);
  await row.waitFor();
  assert.equal(await page.locator('table.processes tbody tr').count(), 1);
  assert.match((await row.textContent()) ?? '', /sleep 317\.5/);
  await row.getByRole('button', { name: 'End', exact: true }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'End the process' }).click();
  await page.getByTestId('tool-notice').getByText(`Ended sleep (PID ${victim.pid}).`).waitFor();
  await row.waitFor({ state: 'detached' });
  await until('the process is gone', () => !alive(victim.pid!));
  await until('its end audited', () => trail('tool.process-ended').some((e) => e.detail.pid === victim.pid));

  // The user closes the task manager from the indicator: the operator's tab says who closed it.
  await host.page.getByTestId('open-tools').getByRole('button', { name: 'Task manager ✕' }).click();
  await page.getByText('Ended: The user at the device closed this tool.').waitFor();
  await until('audited', () => trail('tool.closed').some((e) => e.detail.reason === 'closed-by-user'));

  // What Linux lacks, in the panel's words.
  await panel.getByRole('button', { name: 'Registry', exact: true }).click();
  await page
    .getByTestId('tool-refused')
    .getByText('This device has no registry: it is not a Windows computer.')
    .waitFor();
  await panel.getByRole('button', { name: 'PowerShell', exact: true }).click();
  const ps = await eventually('PowerShell answers', async () => {
    const shown = page.locator('[data-testid="terminal-tab"]:not([hidden])');
    const text = (await page.getByRole('tab', { name: /PowerShell 1/ }).textContent()) ?? '';
    return text.includes('(refused)') || (await shown.getByTestId('terminal-account').count()) > 0 ? text : undefined;
  });
  if (ps.includes('(refused)'))
    await page.getByTestId('tool-refused').getByText('PowerShell is not installed on this device.').waitFor();

  // The assistance ends: the open shell's tree is gone, the window says which tools ended.
  await page.getByRole('tab', { name: 'CMD 1' }).click();
  await typeInTerminal(page, 'sleep 318.5 & echo bg-$!');
  const bg = await waitForLine(page, (l) => /^bg-\d+$/.test(l), 'a background process');
  const bgPid = Number(bg.find((l) => l.startsWith('bg-'))!.slice(3));
  assert.ok(alive(bgPid));
  const endedAt = Date.now();
  host.session.end();
  await until('the shell and its child are gone', () => !alive(bgPid), { timeoutMs: 2_000, everyMs: 20 });
  assert.ok(Date.now() - endedAt <= 2_000, `gone ${Date.now() - endedAt} ms after the end`);
  await page.getByTestId('ended-tools').getByText('CMD 1: The assistance ended.').waitFor();
  await until('the ends audited', () => trail('tool.closed').some((e) => e.detail.reason === 'assistance-ended'));
  const opened = trail('tool.opened').map((e) => e.detail.tool);
  assert.ok(opened.filter((tool) => tool === 'cmd').length >= 3 && opened.includes('processes'), opened.join());
});

test("a role's tools: one allowed, another disabled with its reason; the policy switching it off closes it", async (t) => {
  let admin: Awaited<ReturnType<typeof firstAdmin>> | undefined;
  const cmdFor = (on: boolean) => ({
    ...DEFAULT_POLICY,
    capabilities: { ...DEFAULT_POLICY.capabilities, 'tool.cmd': { desk: on } },
  });
  const { page, panel } = await openToolsSession(t, xvfb.display, {
    role: 'desk',
    async prepare(relay) {
      admin = await firstAdmin(relay);
      assert.equal((await admin.call('POST', '/roles', { name: 'desk', description: 'CMD only' })).status, 201);
      assert.equal((await admin.call('PUT', '/policy', { product: cmdFor(true), groups: {} })).status, 200);
    },
  });
  assert.equal(await panel.getByRole('button', { name: 'Registry', exact: true }).isDisabled(), true);
  await page
    .getByTestId('tool-not-allowed-registry')
    .getByText(/not allowed for the desk role/)
    .waitFor();
  assert.equal(await panel.getByRole('button', { name: 'Task manager' }).isDisabled(), true);
  // Collapsed, the remote screen takes the width; shown again, the panel is back.
  const wide = await page.getByTestId('remote-screen').boundingBox();
  await page.getByRole('button', { name: 'Hide the tools' }).click();
  await eventually(
    'the screen widens',
    async () => ((await page.getByTestId('remote-screen').boundingBox())?.width ?? 0) > wide!.width,
  );
  await page.getByRole('button', { name: 'Show the tools' }).click();
  await panel.waitFor();

  // An open terminal; the policy takes CMD from the role: the terminal closes at once, the button says why.
  await panel.getByRole('button', { name: 'CMD', exact: true }).click();
  await typeInTerminal(page, 'echo desk-$((40+2))');
  await waitForLine(page, (l) => l === 'desk-42', 'the shell answers');
  assert.equal((await admin!.call('PUT', '/policy', { product: cmdFor(false), groups: {} })).status, 200);
  await page.getByTestId('terminal-ended').getByText('Ended: The policy no longer allows this tool.').waitFor();
  await page
    .getByTestId('tool-not-allowed-cmd')
    .getByText(/not allowed for the desk role/)
    .waitFor();
  assert.equal(await panel.getByRole('button', { name: 'CMD', exact: true }).isDisabled(), true);
});

/** A recorded Windows for the registry editor: reg.exe's real backend, its answers replayed by argument vector. */
function recordedWindowsRegistry() {
  const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../platform/fixtures', name));
  const listing = (long: string, subkeys: string[]) =>
    Buffer.from(`\r\n${long}\r\n\r\n${subkeys.map((s) => `${long}\\${s}\r\n`).join('')}`, 'latin1');
  const answers: Record<string, Buffer> = {
    'query HKLM\\SOFTWARE /ve': fixture('reg-query-ve-de.cp850.txt'),
    'query HKLM': listing('HKEY_LOCAL_MACHINE', ['SOFTWARE']),
    'query HKLM\\SOFTWARE': listing('HKEY_LOCAL_MACHINE\\SOFTWARE', ['flxra']),
    'query HKLM\\SOFTWARE\\flxra': listing('HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra', ['Test']),
    'query HKLM\\SOFTWARE\\flxra\\Test': fixture('reg-query-types-de.cp850.txt'),
  };
  const calls: string[][] = [];
  const run: RawRunner = async (_file, args) => {
    calls.push([...args]);
    if (args[0] === 'export') writeFileSync(args[2]!, fixture('reg-export-flxra.reg'));
    if (args[0] === 'export' || args[0] === 'add') return { code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    const answer = answers[args.join(' ')];
    return answer
      ? { code: 0, stdout: answer, stderr: Buffer.alloc(0) }
      : { code: 1, stdout: Buffer.alloc(0), stderr: Buffer.from('ERROR: no answer recorded') };
  };
  const backend = createRegistryBackend('win32', { windows: { run, systemRoot: 'C:\\Windows', codePage: 850 } });
  return { backend, calls };
}

test('the registry editor on a recorded Windows: a lazy tree, typed values, a form that refuses, a confirmed change, an export saved', async (t) => {
  const windows = recordedWindowsRegistry();
  const { page, rig } = await openToolsSession(t, xvfb.display, { backends: { registry: windows.backend } });
  await page.getByTestId('tools-panel').getByRole('button', { name: 'Registry', exact: true }).click();

  // Hives first; each key's subkeys only once it is opened.
  const key = (name: string) => page.locator('.tree-key', { hasText: new RegExp(`^. ${name}$`) });
  await key('HKEY_USERS').waitFor();
  assert.ok(!windows.calls.some((c) => c[0] === 'query' && c[1] === 'HKLM'), 'nothing listed before it is opened');
  for (const name of ['HKEY_LOCAL_MACHINE', 'SOFTWARE', 'flxra', 'Test']) await key(name).click();
  const values = page.locator('table.values');
  await values.getByRole('cell', { name: 'Zähler' }).waitFor();
  const row = (name: string) => values.locator('tr', { has: page.getByRole('cell', { name, exact: true }) });
  assert.match((await row('Zähler').textContent()) ?? '', /REG_DWORD0x0000002a \(42\)/);
  assert.match((await row('(Default)').textContent()) ?? '', /REG_SZGrüße aus Köln/);
  assert.match((await row('Liste').textContent()) ?? '', /REG_MULTI_SZeins · zwei · drei mit Leerzeichen/);
  await key('Unterschlüssel').waitFor();

  // A DWORD too large is refused in the panel, and nothing reaches the device.
  await row('Zähler').getByRole('button', { name: 'Edit' }).click();
  const form = page.getByRole('form', { name: 'Value' });
  await form.getByLabel('Data').fill('4294967296');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('tool-problem').getByText('A DWORD is a whole number from 0 to 4294967295').waitFor();
  assert.ok(!windows.calls.some((c) => c[0] === 'add'));
  // A right one, after the confirmation.
  await form.getByLabel('Data').fill('0x2b');
  await form.getByRole('button', { name: 'Save' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Confirm the registry change' });
  await confirm.getByText('Change the value "Zähler" in HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Test?').waitFor();
  assert.ok(!windows.calls.some((c) => c[0] === 'add'), 'not before Yes');
  await confirm.getByRole('button', { name: 'Yes' }).click();
  await page.getByText('Saved Zähler.').waitFor();
  assert.deepEqual(
    windows.calls.find((c) => c[0] === 'add'),
    ['add', 'HKLM\\SOFTWARE\\flxra\\Test', '/v', 'Zähler', '/t', 'REG_DWORD', '/d', '0x2b', '/f'],
  );

  // Export: the .reg text reaches the save dialog in main, named after the key.
  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByText('Saved to /saved/Test.reg.').waitFor();
  const saved = rig.operator.desktop.saved.at(-1)!;
  assert.equal(saved.name, 'Test.reg');
  assert.match(saved.text, /^Windows Registry Editor Version 5\.00/);
});
