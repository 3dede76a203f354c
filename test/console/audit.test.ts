/**
 * The audit trail: what gets recorded along an assistance's life (request, consent, connection
 * start and end, password failures and lock, expiry, sign-ins, policy changes), the live state
 * the console shows, the CSV and JSON exports, that no secret ever lands in it, and that the
 * store refuses to change or remove an entry.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AUDIT_CSV_COLUMNS, AuditEntry } from '../../src/shared/audit.js';
import { AssistanceStatus, AuditPage } from '../../src/shared/console-api.js';
import { AssistanceResponse } from '../../src/shared/relay-api.js';
import { ADMIN_PASSWORD, firstAdmin, setupToken, type ConsoleClient } from '../fixtures/console.js';
import { activationToken, startTestRelay, type OperatorClient, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { parseCsv } from '../fixtures/csv.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';

describe('audit trail', () => {
  let relay: TestRelay;
  let admin: ConsoleClient & { operatorToken: string };
  let agent: ScriptedAgent;
  /** Everything secret the tests handle; none may appear in the trail. */
  const secrets: string[] = [];
  before(async () => {
    relay = await startTestRelay();
    secrets.push(setupToken(relay), relay.operatorToken, ADMIN_PASSWORD);
    admin = await firstAdmin(relay);
    secrets.push(admin.operatorToken, admin.csrfToken!, admin.cookie!.split('=')[1]!);
    agent = await enrolScriptedAgent(relay, {
      hostname: 'office-1',
      reportGroup: 'Office',
      userSessions: [{ id: '2', user: 'alice', state: 'active', kind: 'console' }],
    });
  });
  after(() => relay.close());

  async function request(mode: 'attended' | 'unattended'): Promise<AssistanceResponse> {
    const answer = await admin.call('POST', '/assistances', { deviceId: agent.deviceId, mode });
    assert.equal(answer.status, 201, answer.text);
    const response = AssistanceResponse.parse(answer.body);
    secrets.push(activationToken(response), ...(response.password ? [response.password] : []));
    return response;
  }

  async function status(sessionId: string): Promise<AssistanceStatus> {
    const answer = await admin.call('GET', `/assistances/${sessionId}`);
    assert.equal(answer.status, 200, answer.text);
    return AssistanceStatus.parse((answer.body as { status: unknown }).status);
  }

  function trailOf(sessionId: string): Array<[string, string, unknown]> {
    return relay.handle.audit
      .query({ sessionId })
      .reverse()
      .map((e) => [e.action, e.result, e.detail.reason ?? e.detail.mode ?? null]);
  }

  it('follows an attended assistance from request to expiry, with its live state', async () => {
    const assistance = await request('attended');
    const host = await agent.nextHost();
    const { sessionId } = assistance;
    assert.equal(await status(sessionId), 'waiting-for-operator');
    const op: OperatorClient = await relay.connectOperator(admin.operatorToken);
    op.emit('assistance:open', { activation: activationToken(assistance) });
    await host.next('session:join-request');
    assert.equal(await status(sessionId), 'waiting-for-consent');
    host.emit('session:consent', { sessionId, decision: 'deny' });
    await op.next('session:ended');
    assert.equal(await status(sessionId), 'declined');
    op.emit('assistance:open', { activation: activationToken(assistance) });
    await host.next('session:join-request');
    host.emit('session:consent', { sessionId, decision: 'view' });
    await op.next('session:admitted');
    assert.equal(await status(sessionId), 'connected');
    op.emit('session:end', { sessionId });
    await host.next('session:ended');
    assert.equal(await status(sessionId), 'ended');
    relay.clock.advance(16 * 60_000);
    await relay.handle.sweep();
    // Over and its file expired: the relay forgets it (the page then shows it expired).
    assert.equal((await admin.call('GET', `/assistances/${sessionId}`)).status, 404);
    assert.deepEqual(trailOf(sessionId), [
      ['assistance.requested', 'ok', 'attended'],
      ['consent.decided', 'declined', null],
      ['consent.decided', 'allowed-view', null],
      ['connection.started', 'ok', 'view'],
      ['connection.ended', 'ok', 'operator-left'],
      ['assistance.expired', 'ok', null],
    ]);
    const [requested] = relay.handle.audit.query({ sessionId, action: 'assistance.requested' });
    assert.deepEqual(requested!.actor, { kind: 'operator', id: admin.user!.operatorId, name: 'Ada Admin' });
    assert.equal(requested!.deviceId, agent.deviceId);
    assert.equal(requested!.detail.via, 'console');
    op.close();
  });

  it('records wrong passwords and the lock, and an operator’s dropped connection', async () => {
    const locked = await request('unattended');
    await agent.nextHost();
    const op = await relay.connectOperator(admin.operatorToken);
    for (let i = 0; i < 5; i++) {
      relay.clock.advance(60_000); // past the back-off
      op.emit('assistance:open', { activation: activationToken(locked), password: 'WRONG-WRONG-WRONG' });
      await op.next('relay:error');
    }
    assert.equal(await status(locked.sessionId), 'locked');
    assert.deepEqual(
      trailOf(locked.sessionId).map(([action, result]) => `${action}:${result}`),
      [
        'assistance.requested:ok',
        'password.failed:failed',
        'password.failed:failed',
        'password.failed:failed',
        'password.failed:failed',
        'assistance.locked:locked',
      ],
    );

    const dropped = await request('unattended');
    await agent.nextHost();
    op.emit('assistance:open', { activation: activationToken(dropped), password: dropped.password });
    await op.next('session:admitted');
    op.close();
    await until(
      'the connection end recorded',
      () => relay.handle.audit.query({ sessionId: dropped.sessionId, action: 'connection.ended' }).length === 1,
      { everyMs: 10 },
    );
    assert.deepEqual(trailOf(dropped.sessionId).slice(1), [
      ['connection.started', 'ok', 'control'],
      ['connection.ended', 'ok', 'operator-gone'],
    ]);
  });

  it('records sessions joined by ID too, and a request carried over to a new connection', async () => {
    const { host, op, sessionId } = await relay.openSession(null);
    const again = await relay.connectOperator();
    again.emit('session:join', { sessionId });
    await again.next('session:waiting');
    await op.next('session:ended'); // replaced: the request goes on from the new connection
    host.emit('session:consent', { sessionId, decision: 'control' });
    await again.next('session:admitted');
    again.close();
    await host.next('session:ended');
    const trail = relay.handle.audit.query({ sessionId }).reverse();
    assert.deepEqual(
      trail.map((e) => [e.action, e.result, e.actor.kind, e.detail.reason ?? e.detail.how ?? null]),
      [
        ['consent.decided', 'allowed-control', 'user', null],
        ['connection.started', 'ok', 'operator', 'consent'],
        ['connection.ended', 'ok', 'operator', 'operator-gone'],
      ],
    );
    assert.equal(trail[0]!.actor.name, 'user at Test device');
    assert.equal(trail[1]!.actor.id, relay.operatorIdentity.id);
  });

  it('exports CSV safe for spreadsheets, and JSON, both with every entry', async () => {
    // Names are chosen by people; a spreadsheet must show them, never run them.
    const tricky = await admin.newUser('tricky', 'operator');
    await admin.call('POST', '/users', {
      username: 'formula',
      name: `=HYPERLINK("http://x", "click"), @SUM(1)`,
      role: 'operator',
      password: 'formula password 1',
    });
    await tricky.login('formula', 'formula password 1');
    await tricky.login('formula', 'wrong password here');

    const json = await admin.call('GET', '/audit?format=json');
    assert.equal(json.status, 200);
    const { entries } = AuditPage.parse(json.body);
    assert.deepEqual(entries, relay.handle.audit.query(), 'the whole trail, newest first');
    assert.ok(entries.length > 20);

    const csv = await admin.call('GET', '/audit?format=csv');
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(
      csv.headers.get('content-disposition') ?? '',
      /^attachment; filename="flxra-audit-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows = parseCsv(csv.text);
    assert.deepEqual(rows[0], [...AUDIT_CSV_COLUMNS]);
    assert.equal(rows.length, entries.length + 1);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    for (const e of entries) {
      const expected = [
        e.id,
        e.at,
        e.actor.kind,
        e.actor.id,
        e.actor.name,
        e.action,
        e.deviceId ?? '',
        e.sessionId ?? '',
        e.result,
        JSON.stringify(e.detail),
      ];
      assert.deepEqual(
        byId.get(String(e.id)),
        expected.map((v) => (/^[=+\-@]/.test(String(v)) ? `'${v}` : String(v))),
      );
    }
    const formulaRows = rows.filter((r) => r[4]!.includes('HYPERLINK'));
    assert.deepEqual(
      formulaRows.map((r) => [r[5], r[8]]),
      [
        ['user.signed-in', 'failed'],
        ['user.signed-in', 'ok'],
      ],
    );
    for (const r of formulaRows) assert.equal(r[4], `'=HYPERLINK("http://x", "click"), @SUM(1)`);
    assert.ok(csv.text.includes(`"'=HYPERLINK(""http://x"", ""click""), @SUM(1)"`), 'quoted, quotes doubled');

    const page = await admin.call('GET', '/audit?format=json&limit=3');
    assert.deepEqual(AuditPage.parse(page.body).entries, entries.slice(0, 3));
    assert.equal((await admin.call('GET', '/audit?format=xml')).status, 400);
  });

  it('never holds a secret', async () => {
    const db = new Database(path.join(relay.dataDir, 'relay.db'), { readonly: true });
    try {
      const everything = JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
      const exported = (await admin.call('GET', '/audit?format=csv')).text;
      assert.ok(secrets.length >= 10);
      for (const secret of secrets) {
        assert.ok(!everything.includes(secret), `a secret in the audit table: ${secret.slice(0, 6)}…`);
        assert.ok(!exported.includes(secret), `a secret in the export: ${secret.slice(0, 6)}…`);
      }
    } finally {
      db.close();
    }
  });

  it('is append-only: the store refuses UPDATE and DELETE', () => {
    const db = new Database(path.join(relay.dataDir, 'relay.db'));
    try {
      const count = () => (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
      const before = count();
      const [first] = relay.handle.audit.query({ beforeId: 2 });
      assert.throws(
        () => db.prepare("UPDATE audit_log SET result = 'ok', actor_name = 'nobody' WHERE id = 1").run(),
        /the audit trail is append-only/,
      );
      assert.throws(() => db.prepare('DELETE FROM audit_log WHERE id = 1').run(), /the audit trail is append-only/);
      assert.throws(() => db.prepare('DELETE FROM audit_log').run(), /the audit trail is append-only/);
      assert.equal(count(), before);
      assert.deepEqual(relay.handle.audit.query({ beforeId: 2 }), [first]);
      assert.ok(AuditEntry.safeParse(first).success);
    } finally {
      db.close();
    }
  });
});
