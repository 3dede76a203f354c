/**
 * Where `.flxra` paths come from: the command line of the first launch, the command line a
 * second instance forwards (Windows, Linux), and macOS's open-file event; and likewise the
 * console's `flxra:` sign-in links. Electron's lines only forward to this; what arrives before
 * the app is ready waits for it.
 */
import path from 'node:path';
import { ACTIVATION_EXTENSION } from '../../shared/activation-file.js';
import { isAppSignInLink } from '../../shared/app-sign-in-link.js';

/** The console's `flxra:` sign-in link on a command line (the system hands it over so), if any. */
export function signInLinkFromArgv(argv: readonly string[]): string | null {
  return argv.filter((a) => isAppSignInLink(a)).pop() ?? null;
}

/** The activation file named on a command line, if any (the last one wins). */
export function activationPathFromArgv(argv: readonly string[], cwd: string): string | null {
  const found = argv.filter((a) => !a.startsWith('-') && a.toLowerCase().endsWith(ACTIVATION_EXTENSION)).pop();
  return found ? path.resolve(cwd, found) : null;
}

/** Things that arrive before their handler is ready wait for it, in order. */
class Arrivals {
  private handler: ((item: string) => Promise<void>) | null = null;
  private readonly waiting: string[] = [];

  ready(handler: (item: string) => Promise<void>): void {
    this.handler = handler;
    for (const item of this.waiting.splice(0)) void handler(item);
  }

  deliver(item: string): void {
    if (this.handler) void this.handler(item);
    else this.waiting.push(item);
  }
}

export class ActivationFileInbox extends Arrivals {
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
}

/** The console's sign-in links: from argv (Windows, Linux: first launch or a second instance) or macOS open-url. */
export class SignInLinkInbox extends Arrivals {
  fromArgv(argv: readonly string[]): boolean {
    const found = signInLinkFromArgv(argv);
    if (found) this.deliver(found);
    return found !== null;
  }

  fromOpenUrl(url: string): void {
    if (isAppSignInLink(url)) this.deliver(url);
  }
}
