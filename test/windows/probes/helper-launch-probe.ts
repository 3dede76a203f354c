/**
 * Under Wine's node.exe: the agent's launcher of the secure-desktop helper
 * (src/agent/helper/windows-helper-launch.ts) and its supervisor (helper-supervisor.ts) with the
 * real helper exe, for test/windows/helper-launch-wine.test.ts. `supervise`: started in the
 * console's session through the Win32 calls, the pipe client attached, hello and sessions asked,
 * the helper ended from outside (OpenProcess + TerminateProcess, as Task Manager would), started
 * again, then stopped with the agent; every pid is checked gone afterwards. `launch`: one start in
 * the session the test names, and what Windows answered.
 */
import koffi from 'koffi';
import { probe } from '../../../dev/wine/probe.js';
import { helperPipeName, helperPlatform } from '../../../src/agent/helper/helper-platform.js';
import { HelperSupervisor } from '../../../src/agent/helper/helper-supervisor.js';
import {
  activeConsoleSession,
  sessionOfProcess,
  startHelperInSession,
} from '../../../src/agent/helper/windows-helper-launch.js';
import type { HelperClient } from '../../../src/platform/secure-desktop/pipe-client.js';

interface Input {
  mode: 'launch' | 'supervise';
  exe: string;
  /** launch: the session to start it in (default: the console's). */
  session?: number;
}

const kernel32 = koffi.load('kernel32.dll');
const OpenProcess = kernel32.func('void * __stdcall OpenProcess(uint32_t access, int inherit, uint32_t pid)') as (
  access: number,
  inherit: number,
  pid: number,
) => unknown;
const TerminateProcess = kernel32.func('int __stdcall TerminateProcess(void *process, uint32_t code)');
const GetExitCodeProcess = kernel32.func('int __stdcall GetExitCodeProcess(void *process, _Out_ uint32_t *code)');
const CloseHandle = kernel32.func('int __stdcall CloseHandle(void *handle)');
const PROCESS_TERMINATE = 0x0001;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;

/** Whether the process is still running, asked of Windows. */
function running(pid: number): boolean {
  const h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (!h) return false;
  const code = [0];
  const ok = GetExitCodeProcess(h, code) as number;
  CloseHandle(h);
  return !!ok && code[0] === 259;
}

function killFromOutside(pid: number): boolean {
  const h = OpenProcess(PROCESS_TERMINATE, 0, pid);
  if (!h) return false;
  const ok = !!TerminateProcess(h, 9);
  CloseHandle(h);
  return ok;
}

const until = async <T>(what: string, fn: () => T | undefined | null | false, ms = 15_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

async function launch(input: Input) {
  const session = input.session ?? (await activeConsoleSession());
  try {
    const helper = await startHelperInSession(input.exe, session ?? 1, helperPipeName(session ?? 1));
    helper.kill();
    return { session, started: { pid: helper.pid, notes: helper.notes, code: await helper.exited } };
  } catch (err) {
    const e = err as Error & { step?: string; win32?: number };
    return { session, refused: { name: e.name, step: e.step, win32: e.win32, message: e.message } };
  }
}

async function supervise(input: Input) {
  const platform = await helperPlatform({ exe: input.exe });
  if (!platform.available) throw new Error(platform.message);
  const attached: Array<{ client: HelperClient; hello: HelperClient['hello'] }> = [];
  const log: string[] = [];
  const supervisor = new HelperSupervisor({
    platform,
    attach: (_, client) => attached.push({ client, hello: client.hello }),
    desktop: () => undefined,
    log: (line) => log.push(line),
    backoff: { baseMs: 200, capMs: 1_000 },
  });
  const answer = supervisor.start('assistance-1');
  const first = await until('the first helper attached', () => attached[0]);
  const firstPid = supervisor.status('assistance-1')!.pid!;
  const sessions = await first.client.sessions();
  const firstSession = await sessionOfProcess(firstPid);
  const killed = killFromOutside(firstPid);
  const second = await until('the helper started again', () => attached[1]);
  const status = supervisor.status('assistance-1')!;
  const secondPid = status.pid!;
  const secondCapture = await second.client.capture();
  const t0 = Date.now();
  await supervisor.stopAll();
  const stopMs = Date.now() - t0;
  return {
    answer,
    console: await activeConsoleSession(),
    first: { pid: firstPid, hello: first.hello, sessions, session: firstSession },
    killed,
    second: {
      pid: secondPid,
      hello: second.hello,
      starts: status.starts,
      capture: secondCapture.ok
        ? { width: secondCapture.value.width, height: secondCapture.value.height }
        : secondCapture,
    },
    afterStop: {
      status: supervisor.status('assistance-1'),
      running: [firstPid, secondPid].map(running),
      stopMs,
      pipeClosed: (await second.client.sessions()).ok === false,
    },
    log,
  };
}

probe<Input, unknown>((input) => (input.mode === 'launch' ? launch(input) : supervise(input)));
