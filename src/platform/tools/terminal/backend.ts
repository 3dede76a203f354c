/**
 * The terminals' backend (CMD and PowerShell in the tools panel), one small interface with a Linux and a Windows
 * implementation (index.ts picks one). A terminal is a pseudo-terminal (node-pty) running a shell as the agent's
 * account or as a signed-in user; everything the operator can get wrong (typing into a shell that has ended, a user
 * the agent cannot run as, PowerShell missing) is a refusal as data.
 */
import type { TerminalAccount } from '../../../shared/tools-protocol.js';
import type { ToolResult } from '../../../shared/tools-results.js';

export type TerminalSlot = 'cmd' | 'powershell';

export interface TerminalRequest {
  slot: TerminalSlot;
  account: TerminalAccount;
  cols: number;
  rows: number;
  /**
   * A user's shell only: the variables that put the windows it opens on that user's desktop (Linux: DISPLAY,
   * XAUTHORITY, XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS), as the agent works them out for the host it starts.
   */
  desktop?: Record<string, string>;
}

export const DESKTOP_VARIABLES = [
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'XDG_RUNTIME_DIR',
  'DBUS_SESSION_BUS_ADDRESS',
];

export interface TerminalExit {
  exitCode: number;
  signal?: number;
}

export interface Terminal {
  /** The shell's PID. */
  readonly pid: number;
  /** Who the shell runs as, by name, for the panel and the audit. */
  readonly account: { kind: 'agent' | 'user'; name: string };
  /** What the panel shows beside it (a shell as the agent's account shows nobody the windows it opens). */
  readonly warnings: string[];
  /** Output, as UTF-8 text. Returns a function that stops listening. */
  onData(listener: (data: string) => void): () => void;
  /** Once, when the shell exits (of itself or killed). Called at once if it already has. */
  onExit(listener: (exit: TerminalExit) => void): () => void;
  readonly exit: TerminalExit | undefined;
  write(data: string): ToolResult<void>;
  resize(cols: number, rows: number): ToolResult<void>;
  /** Stops reading the shell's output (it blocks when the pty's buffer fills) until resume(): flow control. */
  pause(): void;
  resume(): void;
  /** Ends the shell and every process it started; resolves with their PIDs once they are gone (or 2 s passed). */
  kill(): Promise<{ ended: number[]; allGone: boolean }>;
}

export interface TerminalBackend {
  open(request: TerminalRequest): Promise<ToolResult<Terminal>>;
}

export const POWERSHELL_MISSING = 'PowerShell is not installed on this device.';
