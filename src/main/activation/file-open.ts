/**
 * Where `.flxra` paths come from: the command line of the first launch, the command line a
 * second instance forwards (Windows, Linux), and macOS's open-file event. Electron's lines only
 * forward to this; paths that arrive before the app is ready wait for it.
 */
import path from 'node:path';
import { ACTIVATION_EXTENSION } from '../../shared/activation-file.js';

/** The activation file named on a command line, if any (the last one wins). */
export function activationPathFromArgv(argv: readonly string[], cwd: string): string | null {
  const found = argv.filter((a) => !a.startsWith('-') && a.toLowerCase().endsWith(ACTIVATION_EXTENSION)).pop();
  return found ? path.resolve(cwd, found) : null;
}

export class ActivationFileInbox {
  private handler: ((filePath: string) => Promise<void>) | null = null;
  private readonly waiting: string[] = [];

  /** From argv (first launch) or a second instance's argv. */
  fromArgv(argv: readonly string[], cwd: string): boolean {
    const found = activationPathFromArgv(argv, cwd);
    if (found) this.deliver(found);
    return found !== null;
  }

  /** macOS open-file. */
  fromOpenFile(filePath: string): void {
    if (filePath.toLowerCase().endsWith(ACTIVATION_EXTENSION)) this.deliver(filePath);
  }

  /** Called once the operator side is ready; delivers what arrived before. */
  ready(handler: (filePath: string) => Promise<void>): void {
    this.handler = handler;
    for (const p of this.waiting.splice(0)) void handler(p);
  }

  private deliver(filePath: string): void {
    if (this.handler) void this.handler(filePath);
    else this.waiting.push(filePath);
  }
}
