/**
 * The machine's WinHTTP proxy, which Windows services use (the agent runs as LocalSystem, whose
 * own Internet Settings are usually empty): what `netsh winhttp set proxy` (or `netsh winhttp
 * import proxy source=ie`) writes, as one binary value,
 *
 *   HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections
 *     WinHttpSettings  REG_BINARY  18000000 00000000 03000000 0C000000 <"proxy:8080"> 07000000 <"<local>">
 *
 * little-endian: a version, a counter, the flags (0x01 direct, 0x02 the proxy), the proxy's
 * length and ASCII text (a ProxyServer-style list), the bypass list's length and text. Direct
 * access (`netsh winhttp reset proxy`) is flags 0x01 and empty texts. Read with reg.exe from the
 * 64-bit view.
 */
import { parseRegQuery } from '../tools/registry/reg-query.js';

export const WINHTTP_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections';

export interface WinHttpProxy {
  /** The proxy list as ProxyServer writes it (`proxy:8080`, `http=a:80;https=b:443`); absent when direct. */
  server?: string;
  /** The bypass list (`<local>;*.corp`). */
  bypass: string;
}

/** The value's bytes as WinHTTP's settings, or why they are not. */
export function parseWinHttpSettings(hex: string): WinHttpProxy | { error: string } {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) return { error: 'WinHttpSettings is not hex data' };
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length < 16) return { error: 'WinHttpSettings is shorter than its header' };
  const flags = bytes.readUInt32LE(8);
  const serverLength = bytes.readUInt32LE(12);
  const serverEnd = 16 + serverLength;
  if (serverEnd + 4 > bytes.length) return { error: "WinHttpSettings' proxy text runs past its end" };
  const server = bytes.subarray(16, serverEnd).toString('latin1');
  const bypassLength = bytes.readUInt32LE(serverEnd);
  if (serverEnd + 4 + bypassLength > bytes.length) return { error: "WinHttpSettings' bypass text runs past its end" };
  const bypass = bytes.subarray(serverEnd + 4, serverEnd + 4 + bypassLength).toString('latin1');
  return (flags & 0x02) !== 0 && server ? { server, bypass } : { bypass };
}

/** `reg query … /v WinHttpSettings`'s answer; undefined when the value is not there. */
export function parseWinHttpQuery(stdout: string): WinHttpProxy | undefined | { error: string } {
  const parsed = parseRegQuery(stdout);
  if ('error' in parsed) return { error: parsed.error };
  const v = parsed.keys.flatMap((k) => k.values).find((x) => x.name === 'WinHttpSettings');
  if (!v) return undefined;
  if (v.type !== 'REG_BINARY') return { error: `WinHttpSettings is a ${v.type}, not REG_BINARY` };
  return parseWinHttpSettings(v.data);
}
