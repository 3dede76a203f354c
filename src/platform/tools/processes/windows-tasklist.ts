/**
 * Parses `tasklist /v /fo csv /nh` (and the shorter `/fo csv /nh`), the Windows task manager's fallback list:
 *
 *   "explorer.exe","5248","Console","1","112,840 K","Running","DESKTOP-4F2K\alice","0:01:45","Program Manager"
 *
 * Nine columns with /v (image, PID, session name, session number, memory, status, user, CPU time, window title),
 * five without. What cannot be relied on: the words are localised ("Unbekannt", "Nicht zutreffend", "N/D"), so
 * nothing is read from them but the user's "DOMAIN\name" shape; the memory's thousands separator and unit follow the
 * locale ("112,840 K", "112.840 K", "112 840 Ko" with a no-break space), so only its digits are read (always KiB);
 * a window title may hold commas and doubled quotes (CSV quoting). A row that does not have this shape is reported
 * as unreadable, with the reason, and the rest of the list is kept.
 */
import type { UnreadableRow } from '../../../shared/tools-results.js';

export interface TasklistRow {
  name: string;
  pid: number;
  sessionName: string;
  sessionId: number;
  memoryBytes: number;
  /** Verbose only: "DOMAIN\user", null where tasklist says it does not know (in any language). */
  user: string | null;
  /** Verbose only: CPU time used so far, in seconds. */
  cpuSeconds: number | null;
  windowTitle: string | null;
}

/** One CSV line (RFC 4180 quoting, as tasklist writes it); undefined when a quote is left open. */
export function parseCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const comma = line.indexOf(',', i);
      field = line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    if (line[i] !== ',') return undefined;
    i++;
  }
}

/** "H:MM:SS", hours unbounded. */
export function parseCpuTime(text: string): number | undefined {
  const m = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

/** The memory column: its digits, in KiB, whatever the separators and the unit's spelling. */
export function parseMemory(text: string): number | undefined {
  const digits = text.replace(/\D/g, '');
  return /\d/.test(text) && /^\s*[\d.,\s\u00a0\u202f\u2009']+\s*\S*\s*$/u.test(text)
    ? Number(digits) * 1024
    : undefined;
}

export function parseTasklist(stdout: string): { rows: TasklistRow[]; unreadable: UnreadableRow[] } {
  const rows: TasklistRow[] = [];
  const unreadable: UnreadableRow[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const bad = (reason: string) => unreadable.push({ line: line.slice(0, 2000), reason });
    // "INFO: No tasks are running which match the specified criteria." (localised): not a row, no processes.
    if (!line.startsWith('"')) {
      if (!/^[^",]+:\s/.test(line)) bad('not a CSV row');
      continue;
    }
    const f = parseCsvLine(line);
    if (!f) {
      bad('a quote is not closed');
      continue;
    }
    if (f.length !== 5 && f.length !== 9) {
      bad(`${f.length} columns, where tasklist writes 5 (or 9 with /v)`);
      continue;
    }
    const [name = '', pidText = '', sessionName = '', sessionText = '', memoryText = ''] = f;
    const memoryBytes = parseMemory(memoryText);
    if (!/^\d+$/.test(pidText) || !/^\d+$/.test(sessionText)) {
      bad('the PID or the session number is not a number');
      continue;
    }
    if (memoryBytes === undefined) {
      bad(`the memory "${memoryText}" is not a size`);
      continue;
    }
    const verbose = f.length === 9;
    const userText = f[6] ?? '';
    rows.push({
      name,
      pid: Number(pidText),
      sessionName,
      sessionId: Number(sessionText),
      memoryBytes,
      user: verbose && userText.includes('\\') ? userText : null,
      cpuSeconds: verbose ? (parseCpuTime(f[7] ?? '') ?? null) : null,
      windowTitle: verbose ? (f[8] ?? null) : null,
    });
  }
  return { rows, unreadable };
}
