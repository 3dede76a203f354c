/**
 * The task manager's backend, one small interface with a Linux (/proc) and a Windows (tasklist, taskkill)
 * implementation; index.ts picks one for the platform. Everything a user can get wrong (a process that already
 * ended, one the agent may not end) is a refusal as data, never a throw.
 */
import type { ProcessKilled, ProcessList, ToolResult } from '../../../shared/tools-results.js';

export interface ProcessBackend {
  /** Every process now. CPU % is measured between this list and the previous one (or a short first sample). */
  list(): Promise<ToolResult<ProcessList>>;
  /** Ends a process, or it and everything it started; answers with its name and every PID ended, for the audit. */
  kill(pid: number, opts: { tree: boolean }): Promise<ToolResult<ProcessKilled>>;
}

/** How long an ended process (tree) may take to go before the answer says it did not. */
export const KILL_WAIT_MS = 2_000;
