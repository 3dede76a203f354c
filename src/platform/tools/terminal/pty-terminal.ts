/**
 * A Terminal over a node-pty process, the part both platforms share: output and exit listeners, input and resize
 * refused once the shell has ended, pause and resume for flow control. How the whole tree is ended is the
 * platform's (a process session on Linux, taskkill /T on Windows).
 */
import type { IPty } from 'node-pty';
import { done, refuse } from '../../../shared/tools-results.js';
import type { Terminal, TerminalExit } from './backend.js';

const ENDED = 'The shell of this terminal has ended: open a new terminal.';

export function ptyTerminal(
  pty: IPty,
  account: Terminal['account'],
  warnings: string[],
  /** Ends what the shell started; `exited` says that the shell itself already has (its PID may no longer be its). */
  killTree: (pid: number, exited: boolean) => Promise<{ ended: number[]; allGone: boolean }>,
): Terminal {
  let exit: TerminalExit | undefined;
  const exitListeners = new Set<(exit: TerminalExit) => void>();
  const exited = new Promise<void>((resolve) => {
    pty.onExit(({ exitCode, signal }) => {
      exit = signal ? { exitCode, signal } : { exitCode };
      for (const l of exitListeners) l(exit);
      exitListeners.clear();
      resolve();
    });
  });
  let killing: Promise<{ ended: number[]; allGone: boolean }> | undefined;
  // node-pty gives a shell that exited 200 ms to have its output read before it drops the rest: a paused pty must
  // be read again as soon as its shell is gone (what is left is at most the pty's buffer).
  let watch: NodeJS.Timeout | undefined;
  const unwatch = () => {
    clearInterval(watch);
    watch = undefined;
  };
  const shellAlive = () => {
    try {
      process.kill(pty.pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };

  return {
    pid: pty.pid,
    account,
    warnings,
    get exit() {
      return exit;
    },
    onData(listener) {
      const d = pty.onData(listener);
      return () => d.dispose();
    },
    onExit(listener) {
      if (exit) {
        listener(exit);
        return () => {};
      }
      exitListeners.add(listener);
      return () => exitListeners.delete(listener);
    },
    write(data) {
      if (exit) return refuse('shell-ended', ENDED);
      pty.write(data);
      return done(undefined);
    },
    resize(cols, rows) {
      if (exit) return refuse('shell-ended', ENDED);
      if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 2 || rows < 1 || cols > 1000 || rows > 1000)
        return refuse('bad-input', `A terminal of ${cols} × ${rows} characters is not possible.`);
      pty.resize(cols, rows);
      return done(undefined);
    },
    pause() {
      pty.pause();
      watch ??= setInterval(() => {
        if (exit || !shellAlive()) {
          unwatch();
          pty.resume();
        }
      }, 50).unref();
    },
    resume() {
      unwatch();
      pty.resume();
    },
    kill() {
      killing ??= (async () => {
        // The pty's output must keep flowing, or a shell blocked on a full pty would never see the signal.
        unwatch();
        pty.resume();
        // Even after the shell's own exit: what it left running in the background goes too.
        const result = await killTree(pty.pid, exit !== undefined);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
        return { ended: result.ended, allGone: result.allGone && exit !== undefined };
      })();
      return killing;
    },
  };
}
