/**
 * Runs the session tools (loginctl, quser, the WTS helper) for the readers. A non-zero exit is an
 * answer, not a failure: quser exits non-zero when nobody is signed in, and loginctl does when
 * logind is not running, which is how the Linux reader decides not to use it. Only a tool that
 * cannot be started or does not answer in time rejects.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

/** A stuck D-Bus or RPC service must not hold the dynamic-mode decision forever. */
const DEFAULT_TIMEOUT_MS = 10_000;

export function createCommandRunner(timeoutMs = DEFAULT_TIMEOUT_MS): CommandRunner {
  return (file, args) =>
    new Promise((resolve, reject) => {
      execFile(file, [...args], { encoding: 'utf8', timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        if (typeof err.code === 'number') return resolve({ code: err.code, stdout, stderr });
        if (err.killed) return reject(new Error(`${file} did not answer within ${timeoutMs} ms`));
        // An ExecFileException is an Error; the rule misreads its Omit<> type.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(err);
      });
    });
}
