/**
 * Windows' machine identity: MachineGuid under HKLM\SOFTWARE\Microsoft\Cryptography, made at
 * installation, read with reg.exe from the 64-bit view (`/reg:64`: a 32-bit Node would otherwise
 * see the WOW64 view, which has no MachineGuid). reg.exe prints
 *
 *   HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Cryptography
 *       MachineGuid    REG_SZ    9f1c2a4e-7b3d-4c5e-8a6f-0d1e2f3a4b5c
 *
 * (CRLF line ends), and exits 1 when the value is missing.
 */
import path from 'node:path';
import type { CommandRunner } from '../user-sessions/run-command.js';

const KEY = 'HKLM\\SOFTWARE\\Microsoft\\Cryptography';
const GUID =
  /^\s*MachineGuid\s+REG_SZ\s+([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\s*$/m;

/** The GUID in reg.exe's answer, lowercased; null when it has none. */
export function parseMachineGuid(stdout: string): string | null {
  return GUID.exec(stdout)?.[1]?.toLowerCase() ?? null;
}

export async function readWindowsMachineGuid(run: CommandRunner, systemRoot = 'C:\\Windows'): Promise<string | null> {
  const reg = path.win32.join(systemRoot, 'System32', 'reg.exe');
  const answer = await run(reg, ['query', KEY, '/v', 'MachineGuid', '/reg:64']);
  return answer.code === 0 ? parseMachineGuid(answer.stdout) : null;
}
