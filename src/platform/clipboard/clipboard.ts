/**
 * The device's clipboard as the host reads and writes it (text, and images as PNG where the platform allows), behind
 * one small interface: in the app, Electron's clipboard (main passes it: readImage / writeImage); under plain Node
 * (the Chromium host, the end-to-end rig) the platform's own way: xclip against the X display on Linux (text, and
 * image/png), PowerShell's Get-Clipboard / Set-Clipboard on Windows (text only).
 */
import { spawn } from 'node:child_process';

export interface ClipboardAccess {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
  /** The clipboard's image as PNG, null when it holds none; absent where images cannot be read. */
  readImage?(): Promise<Buffer | null>;
  writeImage?(png: Buffer): Promise<void>;
}

export class ClipboardUnavailable extends Error {}

/** Runs a command with `input` on its stdin; its stdout, or a ClipboardUnavailable with what it said. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    // xclip -i stays behind as the selection's owner until another program takes it: its stdout is not waited for.
    const owner = input !== undefined && command === 'xclip';
    // Nothing to write: no stdin at all (writing '' to a reader that already left was an EPIPE).
    const stdin = input === undefined ? 'ignore' : 'pipe';
    const child = spawn(command, args, { env, stdio: [stdin, owner ? 'ignore' : 'pipe', 'pipe'] });
    child.stdin?.on('error', () => undefined); // a writer's reader gone: its exit code says what happened
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(new ClipboardUnavailable(`${command}: ${e.message}`)));
    child.on('close', (code) => {
      // An empty selection is an empty clipboard, not a failure.
      if (code === 0 || /target .* not available|no selection/i.test(err)) resolve(out);
      else reject(new ClipboardUnavailable(`${command} exited ${code}: ${err.trim().slice(0, 200)}`));
    });
    if (owner) child.unref();
    if (input !== undefined) child.stdin?.end(input);
    if (owner) child.stderr?.destroy();
    if (owner) resolve('');
  });
}

/** A command's stdout as bytes (an image), or a ClipboardUnavailable with what it said. */
function runBytes(command: string, args: string[], env: NodeJS.ProcessEnv, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      // Beyond the limit the rest is not kept: the size alone is refused (with a sentence) by the caller.
      if (size <= limit) chunks.push(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(new ClipboardUnavailable(`${command}: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new ClipboardUnavailable(`${command} exited ${code}: ${err.trim().slice(0, 200)}`));
      resolve(size > limit ? Buffer.alloc(size) : Buffer.concat(chunks));
    });
  });
}

/** The most bytes read of the clipboard's image: beyond, only its size matters (it is refused). */
export const IMAGE_READ_LIMIT = 64 * 1024 * 1024;

const TEXT_TARGETS = new Set([
  'UTF8_STRING',
  'STRING',
  'TEXT',
  'text/plain',
  'text/plain;charset=utf-8',
  'COMPOUND_TEXT',
]);

/** The CLIPBOARD selection of an X display, through Debian's xclip: text, and images as image/png. */
export function xclipClipboard(display: string): ClipboardAccess {
  const env = { ...process.env, DISPLAY: display };
  const selection = ['-selection', 'clipboard'];
  /** What the selection's owner offers; null where it does not say (then text is asked for as before). */
  const offered = () =>
    run('xclip', [...selection, '-o', '-target', 'TARGETS'], env).then(
      (out) => out.split(/\s+/).filter(Boolean),
      () => null,
    );
  return {
    readText: async () => {
      // xclip hands an owner's only content over whatever target is asked (an image's bytes as "text"): text is read
      // only from an owner that offers it.
      const targets = await offered();
      if (targets && targets.length > 0 && !targets.some((t) => TEXT_TARGETS.has(t))) return '';
      return run('xclip', [...selection, '-o', '-target', 'UTF8_STRING'], env);
    },
    writeText: async (text) => {
      await run('xclip', [...selection, '-i', '-target', 'UTF8_STRING'], env, text);
    },
    readImage: async () => {
      // Only an owner that offers image/png has an image.
      if (!(await offered())?.includes('image/png')) return null;
      return runBytes('xclip', [...selection, '-o', '-target', 'image/png'], env, IMAGE_READ_LIMIT);
    },
    writeImage: async (png) => {
      await run('xclip', [...selection, '-i', '-target', 'image/png'], env, png);
    },
  };
}

/** The Windows clipboard through PowerShell (the text crosses stdin and stdout as UTF-8). */
export function powershellClipboard(): ClipboardAccess {
  const ps = (script: string, input?: string) =>
    run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], process.env, input);
  const utf8 = '[Console]::InputEncoding=[Console]::OutputEncoding=[Text.Encoding]::UTF8;';
  return {
    readText: async () => (await ps(`${utf8}$t=Get-Clipboard -Raw; if ($t) { [Console]::Out.Write($t) }`)) ?? '',
    writeText: async (text) => {
      await ps(`${utf8}Set-Clipboard -Value ([Console]::In.ReadToEnd())`, text);
    },
  };
}

/** The platform's clipboard for a host without Electron's: X11 on Linux, PowerShell on Windows; none elsewhere. */
export function platformClipboard(display: string | undefined): ClipboardAccess | null {
  if (process.platform === 'win32') return powershellClipboard();
  if (process.platform === 'linux' && display) return xclipClipboard(display);
  return null;
}
