/**
 * Keeps an assistance's secure-desktop helper running (docs/secure-desktop.md, docs/windows.md):
 * starts it in the assistance's user session, or in the console's session when the assistance
 * has none (nobody signed in: the logon screen), connects the agent's pipe client to it, and hands
 * the client to the agent (`attach`) with its desktop events (`desktop`). If the helper exits or
 * its pipe breaks it is started again after a backoff; a helper for the console follows the
 * console when another session takes it (fast user switching, a sign-in); `stop` closes its pipe
 * (the helper exits with it) and ends it if it lingers. Where the platform has no helper, `start`
 * answers so as data. Platform-free: the launch is helper-platform.ts's HelperStart.
 */
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import {
  connectHelper,
  type HelperClient,
  type HelperClientOptions,
} from '../../platform/secure-desktop/pipe-client.js';
import { helperPipeName, type HelperPlatform, type HelperProcess } from './helper-platform.js';

export type HelperConnect = (pipe: string, opts: HelperClientOptions) => Promise<HelperClient>;

export interface HelperSupervisorOptions {
  platform: HelperPlatform;
  attach(assistanceId: string, client: HelperClient): void;
  desktop(assistanceId: string, desktop: string): void;
  log(line: string): void;
  /** How the agent reaches the pipe (default: connectHelper, retried while the helper creates it). */
  connect?: HelperConnect;
  backoff?: BackoffOptions;
  /** How often the console's session is read back, for a helper that follows it. */
  followMs?: number;
  /** How long a helper whose pipe was closed has to exit before it is ended. */
  exitGraceMs?: number;
}

export type HelperStartAnswer = { ok: true } | { ok: false; code: string; message: string };

/** What the tests and the log read of one assistance's helper. */
export interface HelperStatus {
  pid: number | null;
  wtsSession: number | null;
  /** Helpers started for this assistance so far (1 + restarts). */
  starts: number;
  connected: boolean;
}

export const HELPER_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

interface Run {
  id: string;
  /** A WTS session, or the console's whichever it is. */
  target: number | 'console';
  session: number | null;
  proc: HelperProcess | null;
  client: HelperClient | null;
  attempt: number;
  starts: number;
  stopped: boolean;
  /** Bumped at each (re)start: what an older helper reports afterwards is ignored. */
  generation: number;
  retry: NodeJS.Timeout | null;
  follow: NodeJS.Timeout | null;
}

/** connectHelper, retried while the pipe does not exist yet (the helper makes it a moment after it starts). */
export async function connectWhenListening(
  pipe: string,
  opts: HelperClientOptions,
  waitMs = 10_000,
): Promise<HelperClient> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return await connectHelper(pipe, opts);
    } catch (err) {
      if (Date.now() > until || !/ENOENT|EBUSY|pipe failed/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export class HelperSupervisor {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly opts: HelperSupervisorOptions) {}

  /** Whether this device can run a helper at all (Windows, the helper installed). */
  get available(): boolean {
    return this.opts.platform.available;
  }

  /** Starts (and keeps) the helper for an assistance: in `wtsSession`, or the console's session. */
  start(assistanceId: string, wtsSession?: number): HelperStartAnswer {
    const platform = this.opts.platform;
    if (!platform.available) return { ok: false, code: platform.code, message: platform.message };
    if (this.runs.has(assistanceId)) return { ok: true };
    const run: Run = {
      id: assistanceId,
      target: wtsSession ?? 'console',
      session: null,
      proc: null,
      client: null,
      attempt: 0,
      starts: 0,
      stopped: false,
      generation: 0,
      retry: null,
      follow: null,
    };
    this.runs.set(assistanceId, run);
    void this.launch(run);
    if (run.target === 'console') this.follow(run);
    return { ok: true };
  }

  status(assistanceId: string): HelperStatus | null {
    const run = this.runs.get(assistanceId);
    return run
      ? { pid: run.proc?.pid ?? null, wtsSession: run.session, starts: run.starts, connected: run.client !== null }
      : null;
  }

  /** The assistance is over: the helper's pipe closes, the helper exits (or is ended), no restart. */
  async stop(assistanceId: string): Promise<void> {
    const run = this.runs.get(assistanceId);
    if (!run) return;
    this.runs.delete(assistanceId);
    run.stopped = true;
    if (run.retry) clearTimeout(run.retry);
    if (run.follow) clearInterval(run.follow);
    await this.end(run);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((id) => this.stop(id)));
  }

  private async launch(run: Run): Promise<void> {
    const platform = this.opts.platform;
    if (!platform.available || run.stopped) return;
    const generation = ++run.generation;
    const current = () => !run.stopped && run.generation === generation;
    const session = run.target === 'console' ? await platform.launch.activeConsoleSession() : run.target;
    if (!current()) return;
    if (session === null) return this.lost(run, generation, 'no session is attached to the console just now');
    run.session = session;
    const pipe = helperPipeName(session);
    let proc: HelperProcess;
    try {
      proc = await platform.launch.start(platform.exe, session, pipe);
    } catch (err) {
      return this.lost(
        run,
        generation,
        `cannot start the secure-desktop helper in session ${session}: ${(err as Error).message}`,
      );
    }
    run.starts++;
    if (!current()) return void proc.kill();
    run.proc = proc;
    for (const note of proc.notes) this.opts.log(`secure-desktop helper: ${note}`);
    void proc.exited.then((code) => {
      if (current()) this.lost(run, generation, `the secure-desktop helper (pid ${proc.pid}) exited with code ${code}`);
    });
    const connect = this.opts.connect ?? connectWhenListening;
    let client: HelperClient;
    try {
      client = await connect(pipe, {
        onDesktop: (desktop) => {
          if (current()) this.opts.desktop(run.id, desktop);
        },
        onClose: (reason) => {
          if (current() && run.client === client) this.lost(run, generation, reason);
        },
      });
    } catch (err) {
      return this.lost(run, generation, `cannot reach the secure-desktop helper's pipe: ${(err as Error).message}`);
    }
    if (!current()) return void client.close();
    run.client = client;
    run.attempt = 0;
    this.opts.log(
      `secure-desktop helper for assistance ${run.id}: pid ${proc.pid} in session ${session} (its own word: session ${client.hello.session}, desktop ${client.hello.desktop})`,
    );
    this.opts.attach(run.id, client);
  }

  /** This helper is gone or never came: ended, and started again after the backoff. */
  private lost(run: Run, generation: number, reason: string): void {
    if (run.stopped || run.generation !== generation) return;
    run.generation++;
    void this.end(run);
    const delay = backoffDelay(run.attempt++, this.opts.backoff ?? HELPER_BACKOFF);
    this.opts.log(`${reason}; starting it again in ${(delay / 1000).toFixed(1)} s`);
    run.retry = setTimeout(() => {
      run.retry = null;
      void this.launch(run);
    }, delay);
  }

  /** A console helper follows the console: another session there means a helper there. */
  private follow(run: Run): void {
    const platform = this.opts.platform;
    if (!platform.available) return;
    run.follow = setInterval(() => {
      void platform.launch.activeConsoleSession().then((session) => {
        if (run.stopped || session === null || run.session === null || session === run.session || !run.client) return;
        this.opts.log(`the console moved from session ${run.session} to ${session}: the secure-desktop helper follows`);
        run.generation++;
        run.attempt = 0;
        void this.end(run).then(() => this.launch(run));
      });
    }, this.opts.followMs ?? 2_000);
  }

  /** Closes the pipe (the helper exits with it) and ends a helper still there after the grace. */
  private async end(run: Run): Promise<void> {
    const { client, proc } = run;
    run.client = null;
    run.proc = null;
    client?.close();
    if (!proc) return;
    const grace = new Promise<'late'>((r) => setTimeout(() => r('late'), this.opts.exitGraceMs ?? 3_000).unref());
    if ((await Promise.race([proc.exited, grace])) === 'late') {
      proc.kill();
      await proc.exited;
    }
  }
}
