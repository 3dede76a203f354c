/**
 * What tasklist does not say (a process's command line, parent and start time), without wmic (deprecated, absent
 * from recent Windows): PowerShell's Get-CimInstance Win32_Process, printed as JSON in UTF-8 so that neither the
 * locale nor the OEM code page changes what is read. The script goes as -EncodedCommand (UTF-16LE, base64): nothing
 * in it is quoted for a shell, and it takes no input from the operator.
 */
import { z } from 'zod';

const SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '[Console]::OutputEncoding = [Text.Encoding]::UTF8',
  'Get-CimInstance -ClassName Win32_Process | ForEach-Object { [pscustomobject]@{',
  '  ProcessId = $_.ProcessId; ParentProcessId = $_.ParentProcessId; CommandLine = $_.CommandLine',
  "  CreationDate = if ($_.CreationDate) { $_.CreationDate.ToUniversalTime().ToString('o') } else { $null }",
  '} } | ConvertTo-Json -Compress',
].join('\n');

/** powershell.exe's arguments for the query. */
export function cimProcessArgs(): string[] {
  return [
    '-NoLogo',
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Bypass',
    '-EncodedCommand',
    Buffer.from(SCRIPT, 'utf16le').toString('base64'),
  ];
}

const CimProcess = z.object({
  ProcessId: z.number().int().nonnegative(),
  ParentProcessId: z.number().int().nonnegative().nullable().optional(),
  /** Null for processes the agent's account may not read (protected ones), and for System and Idle. */
  CommandLine: z.string().nullable().optional(),
  CreationDate: z.string().nullable().optional(),
});

export interface CimDetails {
  ppid: number | null;
  commandLine: string | null;
  startTime: string | null;
}

/** The JSON (one object when a single process matched, an array otherwise) by PID; an error says what is wrong. */
export function parseCimProcesses(stdout: string): Map<number, CimDetails> | Error {
  const text = stdout.replace(/^\uFEFF/, '').trim();
  let json: unknown;
  try {
    json = JSON.parse(text || '[]');
  } catch {
    return new Error(`PowerShell did not print JSON: ${text.slice(0, 200)}`);
  }
  const parsed = z.array(CimProcess).safeParse(Array.isArray(json) ? json : [json]);
  if (!parsed.success) return new Error(`PowerShell's process list has an unexpected shape: ${parsed.error.message}`);
  const map = new Map<number, CimDetails>();
  for (const p of parsed.data) {
    const start = p.CreationDate ? new Date(p.CreationDate) : undefined;
    map.set(p.ProcessId, {
      ppid: p.ParentProcessId ?? null,
      commandLine: p.CommandLine ?? null,
      startTime: start && !Number.isNaN(start.getTime()) ? start.toISOString() : null,
    });
  }
  return map;
}
