/**
 * What the agent's Windows service will pass to CreateProcessAsUserW to start the Electron host
 * in the chosen user's session (the sequence of calls and why is in docs/windows.md). Pure
 * functions, so the exact command line and environment block are tested here, on Linux; the
 * FFI calls that consume them only a Windows machine can prove.
 */
import { win32 } from 'node:path';
import { hostModeArgs } from './electron.js';
import { HOST_TOKEN_ENV } from '../../shared/host-token-env.js';
import { hostTakeOverEnv } from '../../shared/host-takeover-env.js';
import { verificationEnv } from '../../shared/verification-policy.js';
import type { HostLaunchRequest } from './launcher.js';

/** dwCreationFlags: the block from CreateEnvironmentBlock is UTF-16; without this flag it is read as ANSI. */
export const CREATE_UNICODE_ENVIRONMENT = 0x0000_0400;
/** STARTUPINFOW.lpDesktop: the user's interactive desktop; without it the window lands on an invisible one. */
export const INTERACTIVE_DESKTOP = 'winsta0\\default';

export interface WindowsHostLaunch {
  /** The WTS session whose user token (WTSQueryUserToken) the host runs with. */
  wtsSessionId: number;
  /** lpApplicationName: an absolute path, so nothing is looked up along a PATH or from the command line. */
  applicationName: string;
  /** lpCommandLine (CreateProcessW may write into it: pass a copy). */
  commandLine: string;
  desktop: string;
  /** Set in the user's environment block (CreateEnvironmentBlock) before the call: see mergeEnvironmentBlock. */
  environment: Record<string, string>;
  creationFlags: number;
}

/**
 * One argument as CommandLineToArgvW and the MSVC runtime read it back: quoted when it has
 * white space or quotes (or is empty); backslashes doubled only where they precede a quote.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let quoted = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    quoted += ch === '"' ? '\\'.repeat(2 * backslashes + 1) + '"' : '\\'.repeat(backslashes) + ch;
    backslashes = 0;
  }
  return quoted + '\\'.repeat(2 * backslashes) + '"';
}

/**
 * The program name follows other rules (no escapes: the first quote pair just delimits it), so
 * it is always quoted and may not contain a quote, which no Windows path can anyway.
 */
export function windowsCommandLine(executable: string, args: readonly string[]): string {
  if (executable.includes('"')) throw new Error(`not a Windows path: ${executable}`);
  return [`"${executable}"`, ...args.map(quoteWindowsArg)].join(' ');
}

export function windowsHostLaunch(executable: string, request: HostLaunchRequest): WindowsHostLaunch {
  if (!win32.isAbsolute(executable)) throw new Error(`the app must be given by absolute path, not "${executable}"`);
  const id = request.userSessionId;
  // Session 0 holds services and has no user desktop; a host for nobody's session is the SYSTEM helper's job.
  if (id === undefined || !/^[1-9]\d{0,9}$/.test(id)) {
    throw new Error(
      id === undefined ? 'no user session to start the host in' : `"${id}" is not a user's WTS session id`,
    );
  }
  return {
    wtsSessionId: Number(id),
    applicationName: executable,
    commandLine: windowsCommandLine(executable, hostModeArgs(request.relayUrl)),
    desktop: INTERACTIVE_DESKTOP,
    environment: {
      [HOST_TOKEN_ENV]: request.hostToken,
      ...hostTakeOverEnv(request.takeOver),
      ...verificationEnv(request.verification),
    },
    creationFlags: CREATE_UNICODE_ENVIRONMENT,
  };
}

/**
 * The user's environment block (UTF-16LE "NAME=value\0…\0\0", as CreateEnvironmentBlock
 * returns it) with `additions` set. Names compare case-insensitively, as Windows does; the block
 * stays sorted by upper-cased name, the order CreateProcess documents. Entries whose name starts
 * with "=" (the per-drive current directories, "=C:=C:\\Users\\ana") are kept as they are.
 */
export function mergeEnvironmentBlock(block: Buffer, additions: Record<string, string>): Buffer {
  const entries = new Map<string, string>();
  for (const entry of block.toString('utf16le').split('\0')) {
    if (entry === '') break;
    const eq = entry.indexOf('=', 1);
    if (eq === -1) throw new Error(`environment block entry without "=": ${entry}`);
    entries.set(entry.slice(0, eq).toUpperCase(), entry);
  }
  for (const [name, value] of Object.entries(additions)) {
    if (name === '' || name.includes('=') || name.includes('\0') || value.includes('\0'))
      throw new Error(`cannot set environment variable "${name}"`);
    entries.set(name.toUpperCase(), `${name}=${value}`);
  }
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  // Each entry ends with a NUL and the block with one more; an empty block is two NULs.
  const text = sorted.length === 0 ? '\0\0' : sorted.map((e) => `${e}\0`).join('') + '\0';
  return Buffer.from(text, 'utf16le');
}
