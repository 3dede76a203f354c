/**
 * The Windows task manager's fallback on recorded outputs: tasklist's CSV in English (a window title with a comma
 * and doubled quotes, an image name with a comma, a user name with a space, CRLF), in German as the console writes
 * it (code page 850: "NT-AUTORITÄT", "112.840 K"), the short form in French ("25 316 Ko", a no-break space); the
 * CIM query's JSON for command lines; taskkill's answers; parse errors as data. The backend runs on a recorded
 * runner, so what it asks Windows for (full paths, argument vectors) is checked too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseCimProcesses } from '../../src/platform/tools/processes/windows-cim.js';
import { parseTasklist, parseCsvLine } from '../../src/platform/tools/processes/windows-tasklist.js';
import { createWindowsProcessBackend, parseTaskkill } from '../../src/platform/tools/processes/windows.js';
import { decodeConsoleText, type RawRunner } from '../../src/platform/tools/windows-console.js';

const bytes = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

test('English tasklist /v: quoting, sizes, users, CPU time', () => {
  const { rows, unreadable } = parseTasklist(decodeConsoleText(bytes('tasklist-verbose-en.txt'), 437));
  assert.deepEqual(unreadable, []);
  assert.equal(rows.length, 6);
  assert.deepEqual(rows[0], {
    name: 'System Idle Process',
    pid: 0,
    sessionName: 'Services',
    sessionId: 0,
    memoryBytes: 8 * 1024,
    user: 'NT AUTHORITY\\SYSTEM',
    cpuSeconds: 41 * 3600 + 12 * 60 + 7,
    windowTitle: 'N/A',
  });
  assert.equal(rows[1]!.user, null, '"N/A" is no user');
  assert.equal(rows[4]!.windowTitle, 'notes "draft", v2.txt - Notepad');
  assert.equal(rows[5]!.name, 'My App, Beta.exe');
  assert.equal(rows[5]!.user, 'CORP\\John Smith');
  assert.equal(rows[5]!.memoryBytes, 1_203_456 * 1024);
});

test('German tasklist /v in code page 850: umlauts decoded, dots as thousands separators, words ignored', () => {
  const raw = bytes('tasklist-verbose-de.cp850.txt');
  const { rows, unreadable } = parseTasklist(decodeConsoleText(raw, 850));
  assert.deepEqual(unreadable, []);
  assert.equal(rows[0]!.user, 'NT-AUTORITÄT\\SYSTEM');
  assert.equal(rows[1]!.user, null, '"Nicht zutreffend" is no user');
  assert.equal(rows[3]!.memoryBytes, 112_840 * 1024);
  assert.equal(rows[3]!.user, 'BÜRO-PC\\Jürgen');
  assert.equal(rows[4]!.name, 'Überwachung.exe');
  assert.ok(!raw.toString('utf8').includes('AUTORITÄT'), 'read as UTF-8 it would be garbled: the page matters');
  assert.equal(decodeConsoleText(raw), decodeConsoleText(raw, 850), 'not UTF-8 and no page known: 850');
});

test('French short form: five columns, "Ko" and a no-break space', () => {
  const { rows, unreadable } = parseTasklist(decodeConsoleText(bytes('tasklist-short-fr.cp850.txt'), 850));
  assert.deepEqual(unreadable, []);
  assert.deepEqual(
    rows.map((r) => [r.pid, r.memoryBytes, r.user, r.cpuSeconds]),
    [
      [0, 8 * 1024, null, null],
      [1024, 25_316 * 1024, null, null],
      [5248, 112_840 * 1024, null, null],
    ],
  );
});

test('parse errors are data: the odd rows are named with a reason, the others kept', () => {
  const out = [
    '"ok.exe","10","Console","1","1,000 K"',
    '"cut.exe","11","Cons',
    '"few.exe","12","Console"',
    '"bad.exe","x","Console","1","1,000 K"',
    '"mem.exe","13","Console","1","N/A"',
    'INFO: No tasks are running which match the specified criteria.',
    'garbage without a colon',
  ].join('\r\n');
  const { rows, unreadable } = parseTasklist(out);
  assert.deepEqual(
    rows.map((r) => r.pid),
    [10],
  );
  assert.deepEqual(
    unreadable.map((u) => u.reason),
    [
      'a quote is not closed',
      '3 columns, where tasklist writes 5 (or 9 with /v)',
      'the PID or the session number is not a number',
      'the memory "N/A" is not a size',
      'not a CSV row',
    ],
  );
  assert.deepEqual(parseCsvLine('"a""b",c,""'), ['a"b', 'c', '']);
});

test('the CIM JSON: command lines with quotes and non-Latin text, start times in UTC, one object or many', () => {
  const map = parseCimProcesses(bytes('cim-processes.json').toString('utf8'));
  assert.ok(!(map instanceof Error));
  assert.equal(
    map.get(7712)?.commandLine,
    '"C:\\WINDOWS\\system32\\notepad.exe" "C:\\Users\\alice\\notes \\"draft\\", v2.txt"',
  );
  assert.equal(map.get(8120)?.commandLine, '"C:\\Program Files\\My App\\My App, Beta.exe" --lang=日本語');
  assert.equal(map.get(4)?.startTime, '2026-12-01T07:58:12.500Z');
  assert.equal(map.get(0)?.commandLine, null);
  assert.equal(map.get(1024)?.ppid, 712);
  const single = parseCimProcesses('{"ProcessId":5,"ParentProcessId":4,"CommandLine":"x","CreationDate":null}');
  assert.ok(!(single instanceof Error) && single.get(5)?.commandLine === 'x');
  assert.ok(parseCimProcesses('Get-CimInstance : Access denied') instanceof Error);
  assert.ok(parseCimProcesses('[{"Id":1}]') instanceof Error);
});

test('taskkill: the PIDs ended and not ended, in English and German, and access denied', () => {
  const tree = parseTaskkill({
    code: 0,
    stdout:
      'SUCCESS: The process with PID 7712 (child process of PID 5248) has been terminated.\r\n' +
      'SUCCESS: The process with PID 5248 (child process of PID 5100) has been terminated.\r\n',
    stderr: '',
  });
  assert.deepEqual(tree.ended, [7712, 5248]);
  const de = parseTaskkill({
    code: 1,
    stdout: 'ERFOLGREICH: Der Prozess mit PID 8120 (untergeordnetem Prozess von PID 5248) wurde beendet.\r\n',
    stderr:
      'FEHLER: Der Prozess mit PID 5248 (untergeordnetem Prozess von PID 5100) konnte nicht beendet werden.\r\nUrsache: Zugriff verweigert\r\n',
  });
  assert.deepEqual([de.ended, de.failed, de.denied], [[8120], [5248], true]);
});

/** A recorded Windows: answers by program, and a log of what was asked. */
function recordedWindows(answers: Record<string, { code?: number; stdout?: string; stderr?: string }>) {
  const calls: [string, readonly string[]][] = [];
  const run: RawRunner = async (file, args) => {
    calls.push([file, args]);
    const name = file.split('\\').pop()!;
    const key = name === 'tasklist.exe' && args.includes('/fi') ? 'tasklist.exe /fi' : name;
    const a = answers[key] ?? { code: 1, stderr: `no answer recorded for ${key}` };
    return { code: a.code ?? 0, stdout: Buffer.from(a.stdout ?? ''), stderr: Buffer.from(a.stderr ?? '') };
  };
  return { run, calls };
}

test('the backend: tools by full path, CPU % from two lists, the CIM details merged, its failure a note', async () => {
  const en = decodeConsoleText(bytes('tasklist-verbose-en.txt'), 437);
  const later = en.replace('"0:01:45","Program Manager"', '"0:01:47","Program Manager"');
  let clock = 0;
  let listing = en;
  const cim = bytes('cim-processes.json').toString('utf8');
  const win = recordedWindows({});
  const run: RawRunner = (file, args) => {
    if (file.endsWith('tasklist.exe'))
      return Promise.resolve({ code: 0, stdout: Buffer.from(listing), stderr: Buffer.alloc(0) });
    if (file.endsWith('powershell.exe'))
      return Promise.resolve({ code: 0, stdout: Buffer.from(cim), stderr: Buffer.alloc(0) });
    return win.run(file, args);
  };
  const calls: string[] = [];
  const backend = createWindowsProcessBackend({
    run: (file, args) => (calls.push(file), run(file, args)),
    systemRoot: 'D:\\Win',
    codePage: 437,
    now: () => clock,
    cpuCount: 2,
  });
  const first = await backend.list();
  assert.ok(first.ok);
  assert.deepEqual([...new Set(calls)].sort(), [
    'D:\\Win\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'D:\\Win\\System32\\tasklist.exe',
  ]);
  assert.equal(first.value.processes[3]!.cpuPercent, null, 'one list: no CPU % yet');
  clock = 2000;
  listing = later;
  const second = await backend.list();
  assert.ok(second.ok);
  const explorer = second.value.processes.find((p) => p.pid === 5248)!;
  assert.equal(explorer.cpuPercent, 50, '2 s of CPU over 2 s on 2 cores');
  assert.equal(explorer.commandLine, 'C:\\WINDOWS\\Explorer.EXE');
  assert.equal(explorer.startTime, '2026-12-01T08:01:03.000Z');
  assert.equal(explorer.ppid, 5100);

  const noCim = createWindowsProcessBackend({
    run: (file, args) =>
      file.endsWith('powershell.exe')
        ? Promise.resolve({ code: 1, stdout: Buffer.alloc(0), stderr: Buffer.from('powershell is disabled') })
        : run(file, args),
  });
  const partial = await noCim.list();
  assert.ok(partial.ok);
  assert.equal(partial.value.processes.length, 6);
  assert.equal(partial.value.processes[3]!.commandLine, null);
  assert.match(partial.value.notes[0]!, /Command lines and start times are not available: powershell is disabled/);
});

test('the backend ends a tree with taskkill /T /F, and says when the process is gone or protected', async () => {
  const row = '"notepad.exe","7712","Console","1","14,096 K","Running","PC\\alice","0:00:00","x"\r\n';
  const child = '"conhost.exe","8120","Console","1","6,212 K","Unknown","PC\\alice","0:00:00","N/A"\r\n';
  const win = recordedWindows({
    // A tree's members are named from the whole list.
    'tasklist.exe': { stdout: row + child },
    'taskkill.exe': {
      stdout:
        'SUCCESS: The process with PID 8120 (child process of PID 7712) has been terminated.\r\n' +
        'SUCCESS: The process with PID 7712 (child process of PID 5248) has been terminated.\r\n',
    },
  });
  const backend = createWindowsProcessBackend({ run: win.run, systemRoot: 'C:\\Windows' });
  const killed = await backend.kill(7712, { tree: true });
  assert.deepEqual(killed, {
    ok: true,
    value: {
      pid: 7712,
      name: 'notepad.exe',
      ended: [7712, 8120],
      notEnded: [],
      names: [
        { pid: 7712, name: 'notepad.exe' },
        { pid: 8120, name: 'conhost.exe' },
      ],
    },
  });
  assert.deepEqual(win.calls.at(-2), ['C:\\Windows\\System32\\tasklist.exe', ['/v', '/fo', 'csv', '/nh']]);
  assert.deepEqual(win.calls.at(-1), ['C:\\Windows\\System32\\taskkill.exe', ['/PID', '7712', '/T', '/F']]);
  const one = createWindowsProcessBackend({
    run: recordedWindows({
      'tasklist.exe /fi': { stdout: row },
      'taskkill.exe': { stdout: 'SUCCESS: The process with PID 7712 has been terminated.\r\n' },
    }).run,
  });
  const alone = await one.kill(7712, { tree: false });
  assert.deepEqual(alone.ok && alone.value.names, [{ pid: 7712, name: 'notepad.exe' }]);

  const gone = createWindowsProcessBackend({
    run: recordedWindows({
      'tasklist.exe /fi': { stdout: 'INFO: No tasks are running which match the specified criteria.\r\n' },
    }).run,
  });
  const answer = await gone.kill(7712, { tree: false });
  assert.equal(!answer.ok && answer.refusal.code, 'process-gone');

  const denied = createWindowsProcessBackend({
    run: recordedWindows({
      'tasklist.exe /fi': { stdout: row },
      'taskkill.exe': {
        code: 1,
        stderr: 'ERROR: The process with PID 7712 could not be terminated.\r\nReason: Access is denied.\r\n',
      },
    }).run,
  });
  const no = await denied.kill(7712, { tree: false });
  assert.equal(!no.ok && no.refusal.code, 'access-denied');
  const system = await denied.kill(4, { tree: false });
  assert.equal(!system.ok && system.refusal.code, 'bad-input');
});
