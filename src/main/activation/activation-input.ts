/**
 * Where an activation file's text comes from, with the same bound and the same refusals for
 * each: a path (the command line, the file dialog, macOS open-file) or the bytes of a file the
 * operator dropped on the window (read by the renderer, handed over IPC in base64). What comes
 * out is then checked as one (verify-activation.ts); what cannot even be read says why in words.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ACTIVATION_MAX_BYTES, activationProblemMessage } from '../../shared/activation-file.js';

export type ActivationInput = { ok: true; text: string } | { ok: false; message: string };

const TOO_LARGE = activationProblemMessage({ kind: 'corrupt', detail: 'too large' });
const NOT_TEXT = activationProblemMessage({ kind: 'corrupt', detail: 'not UTF-8 text' });

function decode(bytes: Uint8Array): ActivationInput {
  if (bytes.byteLength > ACTIVATION_MAX_BYTES) return { ok: false, message: TOO_LARGE };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, message: NOT_TEXT };
  }
}

/** The file at `filePath`: its text, or why not ("the file … no longer exists", not ENOENT). */
export async function readActivationPath(filePath: string): Promise<ActivationInput> {
  try {
    if ((await stat(filePath)).size > ACTIVATION_MAX_BYTES) return { ok: false, message: TOO_LARGE };
    return decode(await readFile(filePath));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const fileName = path.basename(filePath);
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { ok: false, message: activationProblemMessage({ kind: 'missing', fileName }) };
    if (code === 'EACCES' || code === 'EPERM')
      return { ok: false, message: `flxra may not read the file ${fileName}: ask whoever set up this computer.` };
    if (code === 'EISDIR') return { ok: false, message: `${fileName} is a folder, not an activation file.` };
    return { ok: false, message: `The file ${fileName} cannot be read (${code ?? (err as Error).message}).` };
  }
}

/** A dropped file's bytes as the renderer sent them (base64, already bounded by the IPC schema). */
export function decodeDroppedFile(base64: string): ActivationInput {
  return decode(Buffer.from(base64, 'base64'));
}
