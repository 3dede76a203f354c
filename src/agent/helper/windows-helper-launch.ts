/**
 * Windows: starts the secure-desktop helper (native/secure-desktop/) as LocalSystem in a user's
 * session, the way docs/windows.md ("The SYSTEM helper") plans it, through koffi (already a
 * dependency, loaded only when this runs): the agent's own token (OpenProcessToken) is duplicated
 * as a primary token (DuplicateTokenEx), moved to the target session (SetTokenInformation with
 * TokenSessionId, which needs SeTcbPrivilege, enabled first), and the helper started with it
 * (CreateProcessAsUserW) on the `winsta0\winlogon` desktop, no console window, the pipe's name on
 * its command line. Its end is watched with GetExitCodeProcess; it is ended with TerminateProcess.
 *
 * Every Windows refusal becomes a HelperLaunchRefused with the step, the Win32 error and a
 * sentence for people. Wine (the Windows tier) differs: see docs/windows.md's table for what it
 * refuses and what then runs.
 */
import { windowsCommandLine } from '../launcher/windows-launch.js';
import type { HelperProcess, HelperStart } from './helper-process.js';

type Koffi = typeof import('koffi').default;

/**
 * STARTUPINFOW.lpDesktop of the helper. The helper's work is the secure desktop: it starts on
 * Winlogon (which only SYSTEM may open, so no user process shares its first desktop) and from
 * there follows whichever desktop has the input (OpenInputDesktop + SetThreadDesktop). Both
 * desktops exist in every interactive session from its start, signed in or not.
 */
export const HELPER_DESKTOP = 'winsta0\\winlogon';

const TOKEN_ASSIGN_PRIMARY = 0x0001;
const TOKEN_DUPLICATE = 0x0002;
const TOKEN_QUERY = 0x0008;
const TOKEN_ADJUST_PRIVILEGES = 0x0020;
const MAXIMUM_ALLOWED = 0x0200_0000;
const SECURITY_IMPERSONATION = 2;
const TOKEN_PRIMARY = 1;
const TOKEN_SESSION_ID = 12;
const SE_PRIVILEGE_ENABLED = 0x2;
const CREATE_NO_WINDOW = 0x0800_0000;
const STILL_ACTIVE = 259;
const ERROR_NOT_ALL_ASSIGNED = 1300;

/** A step Windows refused, with its Win32 error: data for the agent's log and the operator. */
export class HelperLaunchRefused extends Error {
  constructor(
    readonly step: string,
    readonly win32: number,
    message: string,
  ) {
    super(message);
    this.name = 'HelperLaunchRefused';
  }
}

/** The sentence for a refused step: what the common errors mean for the agent. */
export function describeLaunchError(step: string, win32: number): string {
  const why: Record<number, string> = {
    2: 'the helper program is not where the agent looks for it',
    5: 'access is denied',
    87: 'Windows took a parameter as invalid',
    120: 'this Windows does not implement the call',
    1300: 'the agent does not hold that privilege',
    1314: 'the agent does not hold the privilege it needs (it must run as LocalSystem)',
  };
  return `Windows refused ${step} (error ${win32}${why[win32] ? `: ${why[win32]}` : ''}).`;
}

interface Bound {
  koffi: Koffi;
  GetCurrentProcess(): unknown;
  OpenProcessToken(process: unknown, access: number, out: unknown[]): number;
  LookupPrivilegeValueW(system: null, name: string, luid: unknown[]): number;
  AdjustTokenPrivileges(token: unknown, disableAll: number, state: object, len: number, prev: null, ret: null): number;
  DuplicateTokenEx(token: unknown, access: number, attrs: null, level: number, type: number, out: unknown[]): number;
  SetTokenInformation(token: unknown, cls: number, value: number[], len: number): number;
  GetTokenInformation(token: unknown, cls: number, value: number[], len: number, ret: number[]): number;
  CreateProcessAsUserW(...args: unknown[]): number;
  GetExitCodeProcess(process: unknown, code: number[]): number;
  TerminateProcess(process: unknown, code: number): number;
  ProcessIdToSessionId(pid: number, session: number[]): number;
  WTSGetActiveConsoleSessionId(): number;
  CloseHandle(handle: unknown): number;
  GetLastError(): number;
}

let bound: Promise<Bound> | undefined;

function bind(): Promise<Bound> {
  bound ??= (async () => {
    const koffi = (await import('koffi')).default;
    const kernel32 = koffi.load('kernel32.dll');
    const advapi32 = koffi.load('advapi32.dll');
    const LUID = koffi.struct({ LowPart: 'uint32_t', HighPart: 'int32_t' });
    const TOKEN_PRIVILEGES_1 = koffi.struct({ PrivilegeCount: 'uint32_t', Luid: LUID, Attributes: 'uint32_t' });
    const STARTUPINFOW = koffi.struct({
      cb: 'uint32_t',
      lpReserved: 'str16',
      lpDesktop: 'str16',
      lpTitle: 'str16',
      dwX: 'uint32_t',
      dwY: 'uint32_t',
      dwXSize: 'uint32_t',
      dwYSize: 'uint32_t',
      dwXCountChars: 'uint32_t',
      dwYCountChars: 'uint32_t',
      dwFillAttribute: 'uint32_t',
      dwFlags: 'uint32_t',
      wShowWindow: 'uint16_t',
      cbReserved2: 'uint16_t',
      lpReserved2: 'void *',
      hStdInput: 'void *',
      hStdOutput: 'void *',
      hStdError: 'void *',
    });
    const PROCESS_INFORMATION = koffi.struct({
      hProcess: 'void *',
      hThread: 'void *',
      dwProcessId: 'uint32_t',
      dwThreadId: 'uint32_t',
    });
    if (koffi.sizeof(STARTUPINFOW) !== 104 || koffi.sizeof(PROCESS_INFORMATION) !== 24)
      throw new Error('STARTUPINFOW / PROCESS_INFORMATION do not have the layout of x64 Windows (104 and 24 bytes)');
    const f = (lib: ReturnType<Koffi['load']>, name: string, ret: string, args: unknown[]) =>
      lib.func('__stdcall', name, ret, args as string[]) as (...a: unknown[]) => unknown;
    const handleOut = koffi.out(koffi.pointer('void *'));
    const u32Out = koffi.out(koffi.pointer('uint32_t'));
    const b = {
      koffi,
      GetCurrentProcess: f(kernel32, 'GetCurrentProcess', 'void *', []),
      OpenProcessToken: f(advapi32, 'OpenProcessToken', 'int32_t', ['void *', 'uint32_t', handleOut]),
      LookupPrivilegeValueW: f(advapi32, 'LookupPrivilegeValueW', 'int32_t', [
        'str16',
        'str16',
        koffi.out(koffi.pointer(LUID)),
      ]),
      AdjustTokenPrivileges: f(advapi32, 'AdjustTokenPrivileges', 'int32_t', [
        'void *',
        'int32_t',
        koffi.pointer(TOKEN_PRIVILEGES_1),
        'uint32_t',
        'void *',
        'void *',
      ]),
      DuplicateTokenEx: f(advapi32, 'DuplicateTokenEx', 'int32_t', [
        'void *',
        'uint32_t',
        'void *',
        'int32_t',
        'int32_t',
        handleOut,
      ]),
      SetTokenInformation: f(advapi32, 'SetTokenInformation', 'int32_t', [
        'void *',
        'int32_t',
        koffi.pointer('uint32_t'),
        'uint32_t',
      ]),
      GetTokenInformation: f(advapi32, 'GetTokenInformation', 'int32_t', [
        'void *',
        'int32_t',
        u32Out,
        'uint32_t',
        u32Out,
      ]),
      CreateProcessAsUserW: f(advapi32, 'CreateProcessAsUserW', 'int32_t', [
        'void *',
        'str16',
        // lpCommandLine: CreateProcessW may write into it, so a buffer of our own, not a string constant.
        koffi.pointer('char16_t'),
        'void *',
        'void *',
        'int32_t',
        'uint32_t',
        'void *',
        'str16',
        koffi.pointer(STARTUPINFOW),
        koffi.out(koffi.pointer(PROCESS_INFORMATION)),
      ]),
      GetExitCodeProcess: f(kernel32, 'GetExitCodeProcess', 'int32_t', ['void *', u32Out]),
      TerminateProcess: f(kernel32, 'TerminateProcess', 'int32_t', ['void *', 'uint32_t']),
      ProcessIdToSessionId: f(kernel32, 'ProcessIdToSessionId', 'int32_t', ['uint32_t', u32Out]),
      WTSGetActiveConsoleSessionId: f(kernel32, 'WTSGetActiveConsoleSessionId', 'uint32_t', []),
      CloseHandle: f(kernel32, 'CloseHandle', 'int32_t', ['void *']),
      GetLastError: f(kernel32, 'GetLastError', 'uint32_t', []),
    };
    return b as unknown as Bound;
  })();
  return bound;
}

/** The console's session now, or null when no session is attached to the console (between switches). */
export async function activeConsoleSession(): Promise<number | null> {
  const id = (await bind()).WTSGetActiveConsoleSessionId();
  return id === 0xffff_ffff ? null : id;
}

/** The WTS session a process runs in (null when Windows does not say). */
export async function sessionOfProcess(pid: number): Promise<number | null> {
  const w = await bind();
  const out = [0];
  return w.ProcessIdToSessionId(pid, out) ? out[0]! : null;
}

/**
 * The helper as LocalSystem in `wtsSession`, serving `pipe`. Resolves once Windows created the
 * process (the caller then connects to the pipe); rejects with HelperLaunchRefused.
 */
export async function startHelperInSession(exe: string, wtsSession: number, pipe: string): Promise<HelperProcess> {
  const w = await bind();
  const refuse = (step: string): never => {
    const error = w.GetLastError();
    throw new HelperLaunchRefused(step, error, describeLaunchError(step, error));
  };
  const own: unknown[] = [null];
  const access = TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY | TOKEN_ADJUST_PRIVILEGES;
  if (!w.OpenProcessToken(w.GetCurrentProcess(), access, own)) refuse("the agent's own token (OpenProcessToken)");
  const notes: string[] = [];
  let token: unknown = null;
  try {
    // SetTokenInformation(TokenSessionId) needs SeTcbPrivilege enabled in the caller's token.
    const luid: unknown[] = [{}];
    if (!w.LookupPrivilegeValueW(null, 'SeTcbPrivilege', luid)) refuse('looking up SeTcbPrivilege');
    const privileges = { PrivilegeCount: 1, Luid: luid[0], Attributes: SE_PRIVILEGE_ENABLED };
    const adjusted = w.AdjustTokenPrivileges(own[0], 0, privileges, 0, null, null);
    // It "succeeds" without the privilege, saying so only through the last error.
    const adjustError = w.GetLastError();
    if (!adjusted || adjustError === ERROR_NOT_ALL_ASSIGNED)
      notes.push(describeLaunchError('enabling SeTcbPrivilege (AdjustTokenPrivileges)', adjustError));
    const dup: unknown[] = [null];
    if (!w.DuplicateTokenEx(own[0], MAXIMUM_ALLOWED, null, SECURITY_IMPERSONATION, TOKEN_PRIMARY, dup))
      refuse('a primary copy of its token (DuplicateTokenEx)');
    token = dup[0];
    if (!w.SetTokenInformation(token, TOKEN_SESSION_ID, [wtsSession], 4)) {
      const error = w.GetLastError();
      const sentence = describeLaunchError(
        `moving the helper's token to session ${wtsSession} (SetTokenInformation TokenSessionId)`,
        error,
      );
      // Only a token that is in that session already may go on without the move.
      const now = [0];
      const ret = [0];
      if (!w.GetTokenInformation(token, TOKEN_SESSION_ID, now, 4, ret) || now[0] !== wtsSession)
        throw new HelperLaunchRefused('SetTokenInformation', error, sentence);
      notes.push(
        `${sentence} The agent's token is in session ${wtsSession} already, so the helper starts there without it.`,
      );
    }
    const commandLine = windowsCommandLine(exe, ['--pipe', pipe]);
    const cmd = Buffer.from(`${commandLine}\0`, 'utf16le');
    const si = { cb: 104, lpDesktop: HELPER_DESKTOP, lpReserved: null, lpTitle: null };
    const startup = {
      ...si,
      dwX: 0,
      dwY: 0,
      dwXSize: 0,
      dwYSize: 0,
      dwXCountChars: 0,
      dwYCountChars: 0,
      dwFillAttribute: 0,
      dwFlags: 0,
      wShowWindow: 0,
      cbReserved2: 0,
      lpReserved2: null,
      hStdInput: null,
      hStdOutput: null,
      hStdError: null,
    };
    const pi: unknown[] = [{}];
    // No handle of the agent's is inherited; the helper gets SYSTEM's environment (NULL) and
    // its own folder as working folder.
    const cwd = exe.slice(0, Math.max(exe.lastIndexOf('\\'), 2) + 1);
    if (!w.CreateProcessAsUserW(token, exe, cmd, null, null, 0, CREATE_NO_WINDOW, null, cwd, startup, pi))
      refuse(`starting the helper (CreateProcessAsUserW on ${HELPER_DESKTOP})`);
    const info = pi[0] as { hProcess: unknown; hThread: unknown; dwProcessId: number };
    w.CloseHandle(info.hThread);
    // Windows may accept the token's move and still start the helper elsewhere (Wine, with its
    // one session, does): a helper in another session than asked would serve the wrong screen.
    const where = [0];
    if (w.ProcessIdToSessionId(info.dwProcessId, where) && where[0] !== wtsSession) {
      w.TerminateProcess(info.hProcess, 1);
      w.CloseHandle(info.hProcess);
      throw new HelperLaunchRefused(
        'CreateProcessAsUserW',
        0,
        `Windows started the helper in session ${where[0]}, not in session ${wtsSession} as its token said; it was ended.`,
      );
    }
    return watch(w, info.hProcess, info.dwProcessId, notes);
  } finally {
    if (token) w.CloseHandle(token);
    w.CloseHandle(own[0]);
  }
}

function watch(w: Bound, handle: unknown, pid: number, notes: string[]): HelperProcess {
  let closed = false;
  let resolveExit!: (code: number | null) => void;
  const exited = new Promise<number | null>((r) => (resolveExit = r));
  const poll = setInterval(() => {
    const code = [0];
    if (w.GetExitCodeProcess(handle, code) && code[0] === STILL_ACTIVE) return;
    clearInterval(poll);
    closed = true;
    w.CloseHandle(handle);
    resolveExit(code[0] ?? null);
  }, 200);
  return {
    pid,
    notes,
    exited,
    kill() {
      if (!closed) w.TerminateProcess(handle, 1);
    },
  };
}

/** The Windows implementation of HelperStart (helper-platform.ts). */
export const windowsHelperStart: HelperStart = {
  activeConsoleSession,
  start: startHelperInSession,
};
