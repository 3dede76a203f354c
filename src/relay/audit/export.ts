/**
 * The audit trail as files: CSV (RFC 4180, one header row) and JSON. Every CSV cell is made safe
 * for spreadsheets: one that starts like a formula (`=`, `+`, `-`, `@`, a tab or a carriage
 * return, or the full-width `＝＋－＠` some spreadsheets also take) gets a leading quote, so that
 * a name such as `=HYPERLINK(...)` is shown, never evaluated; and one that holds a separator of
 * any locale (`,`, or `;` where the comma is the decimal mark), a quote or a line break is
 * quoted, so that it stays one cell whichever separator the spreadsheet splits on.
 */
import { AUDIT_CSV_COLUMNS, type AuditEntry } from '../../shared/audit.js';

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const NEEDS_QUOTES = /[",;\r\n]/;

function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function row(entry: AuditEntry): Record<(typeof AUDIT_CSV_COLUMNS)[number], string | number | null> {
  return {
    id: entry.id,
    at: entry.at,
    actor_kind: entry.actor.kind,
    actor_id: entry.actor.id,
    actor_name: entry.actor.name,
    action: entry.action,
    device_id: entry.deviceId,
    session_id: entry.sessionId,
    result: entry.result,
    detail: JSON.stringify(entry.detail),
  };
}

/** Lines end in CRLF, as RFC 4180 has them. */
export function auditCsv(entries: readonly AuditEntry[]): string {
  const lines = [AUDIT_CSV_COLUMNS.map(csvCell).join(',')];
  for (const entry of entries) {
    const values = row(entry);
    lines.push(AUDIT_CSV_COLUMNS.map((column) => csvCell(values[column])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function auditJson(entries: readonly AuditEntry[]): string {
  return JSON.stringify({ entries }, null, 2);
}
