/**
 * The audit CSV export as a spreadsheet reads it: no cell may start a formula, whatever the
 * people and devices it names were called, and every cell stays one cell whether the spreadsheet
 * splits on `,` or on `;` (comma-decimal locales). Names come in the way they really do: a
 * device's agent enrolling, console users created by an admin; the triggers no name may hold
 * (tab, CR) are checked on the export itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AUDIT_CSV_COLUMNS, type AuditEntry } from '../../src/shared/audit.js';
import { auditCsv } from '../../src/relay/audit/export.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { parseCsv } from '../fixtures/csv.js';
import { enrolScriptedAgent } from '../fixtures/scripted-agent.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

/** What a spreadsheet would run or split on, as people and devices may be named. */
const TRICKY_NAMES = ['=1+2;3', '+cmd|" /C calc"!A0', '-2+3', '@SUM(A1;A2)', 'Müller; Help desk', '＝HYPERLINK(1)'];
const FORMULA = /^[=+\-@\t\r＝＋－＠]/;

/** The parts of a line outside its quoted cells, where no separator of any locale may hide. */
function unquoted(line: string): string {
  return line.replace(/"(?:[^"]|"")*"/g, '');
}

function assertSpreadsheetSafe(csv: string): string[][] {
  const rows = parseCsv(csv);
  for (const row of rows) {
    assert.equal(row.length, AUDIT_CSV_COLUMNS.length, `one cell per column: ${JSON.stringify(row)}`);
    for (const cell of row) assert.doesNotMatch(cell, FORMULA, `a cell starts a formula: ${JSON.stringify(cell)}`);
  }
  // Split on ';' instead, each line is one cell: every ';' is inside quotes.
  for (const line of csv.split('\r\n')) assert.ok(!unquoted(line).includes(';'), `a bare ';' in ${line}`);
  for (const row of parseCsv(csv, ';')) assert.equal(row.length, 1);
  return rows;
}

describe('audit CSV export', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
  });
  after(() => relay.close());

  it('neutralises formulas and quotes both separators in names from agents and the console', async () => {
    for (const [i, name] of TRICKY_NAMES.entries()) {
      const agent = await enrolScriptedAgent(relay, { hostname: name, reportGroup: `Group;${i}` });
      agent.disconnect();
      const created = await admin.call('POST', '/users', {
        username: `tricky-${i}`,
        name,
        role: 'operator',
        password: 'tricky password 1',
      });
      assert.equal(created.status, 201, created.text);
    }
    const csv = await admin.call('GET', '/audit?format=csv');
    assert.equal(csv.status, 200);
    const rows = assertSpreadsheetSafe(csv.text);
    const names = rows.map((r) => r[AUDIT_CSV_COLUMNS.indexOf('actor_name')]);
    // Shown as they are, after the quote that keeps them text.
    for (const name of TRICKY_NAMES) {
      const shown = FORMULA.test(name) ? `'${name}` : name;
      assert.ok(names.includes(shown), `${name} is in the export as ${shown}`);
    }
  });

  it('neutralises a tab or carriage return at the start of any cell', () => {
    const triggers = ['\tcmd', '\r=1', '=1', '+1', '-1', '@1', 'a;b', 'a,b', 'say "hi"', 'two\r\nlines'];
    const entries: AuditEntry[] = triggers.map((text, id) => ({
      id,
      at: text,
      actor: { kind: 'device', id: text, name: text },
      action: text as AuditEntry['action'],
      deviceId: text,
      sessionId: text,
      result: text,
      detail: { note: text },
    }));
    const rows = assertSpreadsheetSafe(auditCsv(entries));
    rows.slice(1).forEach((row, i) => {
      const text = triggers[i]!;
      const expected = FORMULA.test(text) ? `'${text}` : text;
      const chosen = row.filter((_, column) => !['id', 'actor_kind', 'detail'].includes(AUDIT_CSV_COLUMNS[column]!));
      assert.deepEqual(chosen, Array(AUDIT_CSV_COLUMNS.length - 3).fill(expected));
    });
  });
});
