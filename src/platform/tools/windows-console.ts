/**
 * Running Windows' own tools for the tools' backends (reg.exe, tasklist.exe, taskkill.exe, PowerShell) and reading
 * what they print. Each runs by its full path under %SystemRoot%, never by a bare name looked up along a PATH the
 * service does not control, and never through a shell: arguments are an argument vector. Their output, when
 * redirected, is in the console's OEM code page (437 in the US, 850 in western Europe, 866 in Russia…), not UTF-8:
 * it is read as bytes and decoded with the device's code page, so "NT-AUTORITÄT" stays readable.
 */
import { execFile } from 'node:child_process';
import { win32 } from 'node:path';

export interface RawResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export type RawRunner = (file: string, args: readonly string[]) => Promise<RawResult>;

/** A stuck tool must not hold the panel forever; a long export still fits. */
const DEFAULT_TIMEOUT_MS = 30_000;

export function createRawRunner(timeoutMs = DEFAULT_TIMEOUT_MS): RawRunner {
  return (file, args) =>
    new Promise((resolve, reject) => {
      execFile(
        file,
        [...args],
        { encoding: 'buffer', timeout: timeoutMs, windowsHide: true, maxBuffer: 256 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (!err) return resolve({ code: 0, stdout, stderr });
          if (typeof err.code === 'number') return resolve({ code: err.code, stdout, stderr });
          if (err.killed) return reject(new Error(`${file} did not answer within ${timeoutMs} ms`));
          // An ExecFileException is an Error; the rule misreads its Omit<> type.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(err);
        },
      );
    });
}

/** %SystemRoot%, checked: a drive letter and a path without quotes or shell characters. C:\Windows when unset. */
export function systemRoot(value: string | undefined = process.env.SystemRoot): string {
  if (value && /^[A-Za-z]:\\[^"<>|&^%\p{Cc}]*$/u.test(value)) return value.replace(/\\+$/, '');
  return 'C:\\Windows';
}

export const system32 = (root: string, ...file: string[]) => win32.join(root, 'System32', ...file);

/** Bytes 0x80–0xFF of the two western OEM code pages (generated from Python's codecs). */
const OEM_HIGH: Record<number, string> = {
  437: 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
  850: 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0',
};

/**
 * Text a console tool printed. UTF-8 (code page 65001, or any output that is valid UTF-8) as it is; OEM pages 437
 * and 850 by table; others through the WHATWG decoders Node has (866 is "ibm866"); code page 850 when unknown.
 */
export function decodeConsoleText(bytes: Uint8Array, codePage?: number): string {
  if (codePage === 65001 || codePage === undefined) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Not UTF-8: the usual western OEM page below.
    }
  }
  const high = OEM_HIGH[codePage ?? 850] ?? (codePage === 65001 ? OEM_HIGH[850] : undefined);
  if (!high) {
    try {
      return new TextDecoder(codePage === 866 ? 'ibm866' : `windows-${codePage}`).decode(bytes);
    } catch {
      return decodeConsoleText(bytes, 850);
    }
  }
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : high[b - 0x80];
  return out;
}

/** The OEM code page, from `reg query HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage /v OEMCP` (ASCII). */
export function parseOemCodePage(stdout: string): number | undefined {
  const m = /OEMCP\s+REG_SZ\s+(\d+)/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

export const OEM_CODE_PAGE_QUERY = ['query', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage', '/v', 'OEMCP'];
