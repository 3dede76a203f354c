/**
 * An assistance's session as the state machine it is, without sockets: the session table's
 * inputs return the messages to send, and its hooks tell the assistance layer what to persist.
 * Every transition of an assistance's life (prepared, consent pending, active, the host or the
 * operator away and back, restored after a relay restart, ended) and every refusal on the way,
 * each with exactly the messages it produces and the hooks it calls.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { AccessMode, OperatorIdentity, SessionId } from '../../src/shared/protocol.js';
import type { OperatorSender, Outgoing } from '../../src/relay/messages.js';
import type { AssistanceHooks } from '../../src/relay/session-model.js';
import { SessionTable } from '../../src/relay/sessions.js';

const ADA: OperatorIdentity = { id: 'op-ada', name: 'Ada Lovelace', organisation: 'Help Desk' };
const EVE: OperatorIdentity = { id: 'op-eve', name: 'Eve', organisation: 'Elsewhere' };
const SID: SessionId = '123456789';
const HOST = { conn: 'host-1', role: 'host' as const };
const op = (conn: string, operator = ADA): OperatorSender => ({ conn, role: 'operator', operator });

/** The hooks as the assistance layer sees them: every call, in order. */
function recordingHooks() {
  const calls: string[] = [];
  const hooks: AssistanceHooks = {
    admittedByConsent: (sessionId, mode) => {
      calls.push(`admitted ${sessionId} ${mode}`);
      return 'resume-token-of-consent';
    },
    modeChanged: (sessionId, mode) => void calls.push(`mode ${sessionId} ${mode}`),
    released: (sessionId, resumable) => void calls.push(`released ${sessionId} ${resumable}`),
    hostGone: (sessionId) => {
      calls.push(`host gone ${sessionId}`);
      return [];
    },
    hostAway: (sessionId) => void calls.push(`host away ${sessionId}`),
    hostBack: (sessionId) => void calls.push(`host back ${sessionId}`),
  };
  return { hooks, calls };
}

const events = (out: Outgoing[]) => out.map((m) => `${m.to} ${m.event}`);

describe('an assistance session', () => {
  let table: SessionTable;
  let calls: string[];
  beforeEach(() => {
    const recorded = recordingHooks();
    table = new SessionTable(() => '999999999', recorded.hooks);
    calls = recorded.calls;
  });

  const prepare = (mode: 'attended' | 'unattended' = 'attended') =>
    table.prepareAssistance(HOST.conn, {
      sessionId: SID,
      mode,
      operator: ADA,
      deviceName: 'Kiosk',
      audio: false,
      hostResumeToken: 'host-resume-token',
    });

  /** Attended: the operator opened the file and the user allowed `mode`. */
  function active(mode: AccessMode = 'control') {
    prepare();
    table.openAttended(op('op-1'), SID);
    return table.handle(HOST, {
      event: 'session:consent',
      payload: { sessionId: SID, decision: mode, timedOut: false },
    });
  }

  it('prepared: the host learns who asked, with its resume token; nobody may join it by ID', () => {
    const out = prepare();
    assert.deepEqual(out, [
      {
        to: HOST.conn,
        event: 'assistance:prepared',
        payload: {
          sessionId: SID,
          mode: 'attended',
          operator: ADA,
          audio: false,
          hostResumeToken: 'host-resume-token',
        },
      },
    ]);
    const joined = table.handle(op('op-1'), { event: 'session:join', payload: { sessionId: SID } });
    assert.deepEqual(
      joined.map((m) => m.event === 'relay:error' && m.payload.code),
      ['forbidden'],
    );
  });

  it('consent pending → active: the user allows, the operator is admitted with a resume token, persisted', () => {
    prepare();
    assert.deepEqual(events(table.openAttended(op('op-1'), SID)), [
      'host-1 session:join-request',
      'op-1 session:waiting',
    ]);
    const out = table.handle(HOST, {
      event: 'session:consent',
      payload: { sessionId: SID, decision: 'view', timedOut: false },
    });
    assert.deepEqual(out, [
      {
        to: 'op-1',
        event: 'session:admitted',
        payload: { sessionId: SID, mode: 'view', resumeToken: 'resume-token-of-consent' },
      },
    ]);
    assert.deepEqual(calls, [`admitted ${SID} view`]);
  });

  it('consent pending → denied or timed out: the operator is told, the session stays for another request', () => {
    prepare();
    table.openAttended(op('op-1'), SID);
    const denied = table.handle(HOST, {
      event: 'session:consent',
      payload: { sessionId: SID, decision: 'deny', timedOut: true },
    });
    assert.deepEqual(denied, [
      { to: 'op-1', event: 'session:ended', payload: { sessionId: SID, reason: 'consent-timeout' } },
    ]);
    assert.deepEqual(events(table.openAttended(op('op-1'), SID)), [
      'host-1 session:join-request',
      'op-1 session:waiting',
    ]);
  });

  it('refuses: another operator while one is in, a consent nobody waits for, a pending operator signalling', () => {
    prepare();
    const early = table.handle(HOST, {
      event: 'session:consent',
      payload: { sessionId: SID, decision: 'control', timedOut: false },
    });
    assert.deepEqual(
      early.map((m) => m.event === 'relay:error' && m.payload.code),
      ['forbidden'],
    );
    table.openAttended(op('op-1'), SID);
    const signal = table.handle(op('op-1'), {
      event: 'session:signal',
      payload: { sessionId: SID, signal: { type: 'offer' } },
    });
    assert.deepEqual(
      signal.map((m) => m.event === 'relay:error' && m.payload.code),
      ['not-in-session'],
    );
    const busy = table.openAttended(op('op-2', EVE), SID);
    assert.deepEqual(
      busy.map((m) => m.event === 'relay:error' && m.payload.code),
      ['session-busy'],
    );
    const fromOperator = table.handle(op('op-1'), { event: 'session:mode', payload: { sessionId: SID, mode: 'view' } });
    assert.deepEqual(
      fromOperator.map((m) => m.event === 'relay:error' && m.payload.code),
      ['not-in-session'],
    );
  });

  it('unattended: the right password admits with control at once and the host shows its banner; one operator only', () => {
    prepare('unattended');
    const out = table.admitUnattended(op('op-1'), SID, 'resume-token-of-password');
    assert.deepEqual(events(out ?? []), ['op-1 session:admitted', 'host-1 session:unattended-start']);
    assert.equal(table.admitUnattended(op('op-2', EVE), SID, 'x'), null);
  });

  it('active: the user switches mode (persisted); signals flow both ways', () => {
    active('control');
    const out = table.handle(HOST, { event: 'session:mode', payload: { sessionId: SID, mode: 'view' } });
    assert.deepEqual(out, [{ to: 'op-1', event: 'session:mode', payload: { sessionId: SID, mode: 'view' } }]);
    assert.deepEqual(calls.at(-1), `mode ${SID} view`);
    assert.deepEqual(
      events(
        table.handle(op('op-1'), { event: 'session:signal', payload: { sessionId: SID, signal: { type: 'answer' } } }),
      ),
      ['host-1 session:signal'],
    );
    assert.deepEqual(
      events(table.handle(HOST, { event: 'session:signal', payload: { sessionId: SID, signal: { type: 'offer' } } })),
      ['op-1 session:signal'],
    );
  });

  it('active → host away → back: the operator is told both ways, signals wait, nothing is asked again', () => {
    active();
    assert.deepEqual(events(table.disconnect(HOST)), ['op-1 session:away']);
    assert.equal(table.hostAway(SID), true);
    assert.deepEqual(
      table.handle(op('op-1'), { event: 'session:signal', payload: { sessionId: SID, signal: { type: 'answer' } } }),
      [],
    );
    const back = table.hostBack('host-2', SID);
    assert.deepEqual(events(back?.out ?? []), ['host-2 host:resumed', 'op-1 session:back']);
    assert.equal(back?.replaced, null);
    assert.deepEqual(calls.slice(-2), [`host away ${SID}`, `host back ${SID}`]);
    assert.deepEqual(
      events(
        table.handle(op('op-1'), { event: 'session:signal', payload: { sessionId: SID, signal: { type: 'answer' } } }),
      ),
      ['host-2 session:signal'],
    );
  });

  it('a host closed on purpose is gone, not away', () => {
    active();
    table.disconnect(HOST, true);
    assert.deepEqual(calls.at(-1), `host gone ${SID}`);
  });

  it('active → operator away → resumes: admitted again in its mode, the host renews its peer', () => {
    active('view');
    assert.deepEqual(table.disconnect(op('op-1')), []);
    assert.deepEqual(calls.at(-1), `released ${SID} true`);
    const out = table.resume(op('op-3'), SID);
    assert.deepEqual(events(out ?? []), ['op-3 session:admitted', 'host-1 session:peer-reset']);
    assert.equal(table.resume(op('op-4', EVE), SID), null, 'only the admitted operator resumes');
  });

  it('ended on purpose by either side: no resuming into it', () => {
    active();
    assert.deepEqual(events(table.handle(HOST, { event: 'session:end', payload: { sessionId: SID } })), [
      'op-1 session:ended',
    ]);
    assert.deepEqual(calls.at(-1), `released ${SID} false`);
  });

  it('restored after a relay restart: both sides away; the operator resumes before the host is back, then the host', () => {
    table.restore({ sessionId: SID, mode: 'attended', deviceName: 'Kiosk', operator: { identity: ADA, mode: 'view' } });
    assert.equal(table.hostAway(SID), true);
    assert.deepEqual(events(table.resume(op('op-9'), SID) ?? []), ['op-9 session:admitted', 'op-9 session:away']);
    assert.deepEqual(events(table.hostBack('host-9', SID)?.out ?? []), ['host-9 host:resumed', 'op-9 session:back']);
  });

  it('a file opened while the device is away waits, and the operator is told why; the user is asked once it is back', () => {
    prepare();
    table.disconnect(HOST);
    assert.deepEqual(events(table.openAttended(op('op-1'), SID)), ['op-1 session:waiting', 'op-1 session:away']);
    assert.deepEqual(events(table.hostBack('host-2', SID)?.out ?? []), [
      'host-2 host:resumed',
      'op-1 session:back',
      'host-2 session:join-request',
    ]);
  });

  it('ended or expired: both sides told (the host unless away), the session gone', () => {
    active();
    assert.deepEqual(events(table.endAssistance(SID, 'policy-changed')), [
      'host-1 session:ended',
      'op-1 session:ended',
    ]);
    assert.deepEqual(table.endAssistance(SID, 'policy-changed'), [], 'once');
    prepare();
    table.disconnect(HOST);
    assert.deepEqual(events(table.endAssistance(SID, 'expired')), [], 'nobody to tell: the host is away, no operator');
    assert.equal(table.hostAway(SID), false);
  });
});
