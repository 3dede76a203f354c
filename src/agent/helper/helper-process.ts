/**
 * What starting the secure-desktop helper gives back, apart from how it is done: the types the
 * platform answer (helper-platform.ts), the Windows launcher (windows-helper-launch.ts) and the
 * supervisor share, in a file of their own so that neither imports the other for them.
 */
export interface HelperProcess {
  pid: number;
  /** Resolves with the exit code once the helper has ended, however it ended. */
  exited: Promise<number | null>;
  /** Ends it now (TerminateProcess); its pipe then closes. */
  kill(): void;
  /** What Windows refused on the way that did not stop the start (for the log), in words. */
  notes: string[];
}

export interface HelperStart {
  /** The session attached to the console now (null: none, between switches). */
  activeConsoleSession(): Promise<number | null>;
  /** Starts the helper exe in that WTS session, serving `pipe`; rejects saying why it could not. */
  start(exe: string, wtsSession: number, pipe: string): Promise<HelperProcess>;
}
