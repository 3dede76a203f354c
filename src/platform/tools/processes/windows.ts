/**
 * The Windows task manager's fallback backend: `tasklist /v /fo csv /nh` for the list (name, PID, user, memory,
 * CPU time, from which CPU % is measured between two lists), PowerShell's CIM query for the command line, parent
 * and start time (windows-cim.ts; a failure there is a note, the list stays), `taskkill /PID n [/T] /F` to end.
 * The Toolhelp snapshot through a native module would be quicker: `native` is its seam, used when given.
 */
import { done, refuse, type ProcessInfo } from '../../../shared/tools-results.js';
import {
  createRawRunner,
  decodeConsoleText,
  system32,
  systemRoot as checkedSystemRoot,
  type RawResult,
  type RawRunner,
} from '../windows-console.js';
import type { ProcessBackend } from './backend.js';
import { cimProcessArgs, parseCimProcesses } from './windows-cim.js';
import { parseTasklist } from './windows-tasklist.js';

export interface WindowsProcessOptions {
  run?: RawRunner;
  systemRoot?: string;
  /** The console's OEM code page (see windows-console.ts); UTF-8 or 850 when not known. */
  codePage?: number;
  now?: () => number;
  cpuCount?: number;
  selfPid?: number;
  /** A native backend (Toolhelp through a maintained module), preferred when present. */
  native?: ProcessBackend;
}

const ACCESS_DENIED = /access is denied|zugriff verweigert|acc[eè]s refus[ée]|acceso denegado|accesso negato/i;

/** The first number of each line: taskkill names the PID first, in every language. */
const firstNumbers = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => /(?:^|\D)(\d+)(?:\D|$)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);

export interface TaskkillOutcome {
  ended: number[];
  failed: number[];
  denied: boolean;
  message: string;
}

export function parseTaskkill(result: { code: number; stdout: string; stderr: string }): TaskkillOutcome {
  // Errors come as "ERROR: The process with PID 4 could not be terminated." and a "Reason: …" line without a PID.
  return {
    ended: firstNumbers(result.stdout),
    failed: [...new Set(firstNumbers(result.stderr))],
    denied: ACCESS_DENIED.test(result.stderr),
    message: result.stderr.trim().replace(/\s+/g, ' ').slice(0, 500),
  };
}

export function createWindowsProcessBackend(opts: WindowsProcessOptions = {}): ProcessBackend {
  if (opts.native) return opts.native;
  const run = opts.run ?? createRawRunner();
  const root = checkedSystemRoot(opts.systemRoot);
  const now = opts.now ?? (() => performance.now());
  const cpuCount = opts.cpuCount ?? (Number(process.env.NUMBER_OF_PROCESSORS) || 1);
  const selfPid = opts.selfPid ?? process.pid;
  const text = (bytes: Buffer) => decodeConsoleText(bytes, opts.codePage);
  let previous: { at: number; cpu: Map<number, { name: string; seconds: number }> } | undefined;

  const tasklist = (filterPid?: number) =>
    run(system32(root, 'tasklist.exe'), [
      '/v',
      '/fo',
      'csv',
      '/nh',
      ...(filterPid === undefined ? [] : ['/fi', `PID eq ${filterPid}`]),
    ]);

  return {
    async list() {
      const [listed, cim] = await Promise.all([
        tasklist(),
        run(system32(root, 'WindowsPowerShell', 'v1.0', 'powershell.exe'), cimProcessArgs()).catch(
          (err: Error): RawResult => ({ code: -1, stdout: Buffer.alloc(0), stderr: Buffer.from(err.message) }),
        ),
      ]);
      if (listed.code !== 0)
        return refuse('command-failed', `tasklist failed (exit ${listed.code}): ${text(listed.stderr).trim()}`);
      const at = now();
      const { rows, unreadable } = parseTasklist(text(listed.stdout));
      const notes: string[] = [];
      const details = cim.code === 0 ? parseCimProcesses(cim.stdout.toString('utf8')) : new Error(text(cim.stderr));
      if (details instanceof Error)
        notes.push(`Command lines and start times are not available: ${details.message.trim().slice(0, 300)}`);
      const before = previous;
      previous = { at, cpu: new Map(rows.map((r) => [r.pid, { name: r.name, seconds: r.cpuSeconds ?? 0 }])) };
      const processes = rows.map((r): ProcessInfo => {
        const d = details instanceof Error ? undefined : details.get(r.pid);
        const old = before?.cpu.get(r.pid);
        const seconds = before ? (at - before.at) / 1000 : 0;
        // tasklist counts CPU time in whole seconds: a 2 s refresh sees steps of 1 s, an honest coarse figure.
        const cpuPercent =
          old && old.name === r.name && r.cpuSeconds !== null && seconds > 0
            ? Math.min(100, Math.max(0, ((r.cpuSeconds - old.seconds) / (seconds * cpuCount)) * 100))
            : null;
        return {
          pid: r.pid,
          ppid: d?.ppid ?? null,
          name: r.name,
          user: r.user,
          cpuPercent,
          memoryBytes: r.memoryBytes,
          startTime: d?.startTime ?? null,
          commandLine: d?.commandLine ?? null,
        };
      });
      return done({ processes, unreadable, notes });
    },

    async kill(pid, { tree }) {
      if (pid === selfPid)
        return refuse('bad-input', 'This is the flxra agent itself: ending it would end the assistance.');
      if (pid <= 4) return refuse('bad-input', `Process ${pid} is the system's own and cannot be ended from here.`);
      // A tree's members are named from the whole list (taskkill's answer has PIDs only); one process from its own.
      const found = await tasklist(tree ? undefined : pid);
      const listed = parseTasklist(text(found.stdout)).rows;
      const row = listed.find((r) => r.pid === pid);
      if (!row) return refuse('process-gone', `Process ${pid} has already ended.`);
      const r = await run(system32(root, 'taskkill.exe'), ['/PID', String(pid), ...(tree ? ['/T'] : []), '/F']);
      const outcome = parseTaskkill({ code: r.code, stdout: text(r.stdout), stderr: text(r.stderr) });
      if (!outcome.ended.includes(pid)) {
        if (r.code === 128) return refuse('process-gone', `Process ${pid} (${row.name}) has already ended.`);
        if (outcome.denied)
          return refuse('access-denied', `The agent's account may not end process ${pid} (${row.name}).`);
        return refuse('command-failed', `taskkill could not end process ${pid} (${row.name}): ${outcome.message}`);
      }
      // The root goes first in the answer, as on Linux.
      const ended = [pid, ...outcome.ended.filter((p) => p !== pid)];
      const names = new Map(listed.map((r) => [r.pid, r.name]));
      return done({
        pid,
        name: row.name,
        ended,
        notEnded: outcome.failed.filter((p) => !ended.includes(p)),
        names: ended.flatMap((p) => (names.has(p) ? [{ pid: p, name: names.get(p)! }] : [])),
      });
    },
  } satisfies ProcessBackend;
}
