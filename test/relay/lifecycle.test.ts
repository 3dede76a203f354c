/**
 * The assistance lifecycle on its own, without socket.io: every event in every phase goes where
 * the state diagram (docs/architecture.md) says or is refused with the code it documents, and
 * its owner keeps the state in the real store, so that a relay opening the same data folder
 * again finds each assistance where it stood.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  PHASES,
  UNUSED_ASSISTANCE,
  stateName,
  step,
  type LifecycleEvent,
  type LifecycleState,
  type Phase,
} from '../../src/relay/assistances/lifecycle.js';
import { AssistanceLifecycles } from '../../src/relay/assistances/lifecycles.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import type { AssistanceRecord } from '../../src/relay/store/store.js';
import { captureLogger } from '../../dev/rig/relay.js';

const at = (phase: Phase, away: LifecycleState['away'] = []): LifecycleState => ({ phase, away, endedFrom: null });

/** What each event does in each running phase, with nobody away: the phase it leads to, or the refusal's code. */
const EXPECTED: Record<string, { event: LifecycleEvent; outcome: Record<Phase, string> }> = {
  'host-requested': {
    event: { type: 'host-requested' },
    outcome: row('wrong-phase', { requested: '→host-starting' }),
  },
  'host-in': {
    event: { type: 'host-in' },
    outcome: row('wrong-phase', { requested: '→ready', 'host-starting': '→ready' }),
  },
  'consent-asked': {
    event: { type: 'consent-asked' },
    outcome: row('busy', {
      requested: 'not-ready',
      'host-starting': 'not-ready',
      ready: '→consent-pending',
      declined: '→consent-pending',
    }),
  },
  'consent-refused (declined)': {
    event: { type: 'consent-refused', by: 'declined' },
    outcome: row('wrong-phase', { 'consent-pending': '→declined' }),
  },
  'consent-refused (withdrawn)': {
    event: { type: 'consent-refused', by: 'withdrawn' },
    outcome: row('wrong-phase', { 'consent-pending': '→ready' }),
  },
  admitted: {
    event: { type: 'admitted' },
    outcome: row('busy', {
      requested: 'not-ready',
      'host-starting': 'not-ready',
      ready: '→active',
      declined: '→active',
      'consent-pending': '→active',
    }),
  },
  released: { event: { type: 'released' }, outcome: row('not-admitted', { active: '→released' }) },
  'away (operator)': {
    event: { type: 'away', side: 'operator' },
    outcome: row('not-admitted', { active: '→active' }),
  },
  'away (host)': {
    event: { type: 'away', side: 'host' },
    outcome: row('→same', { requested: 'not-ready', 'host-starting': 'not-ready' }),
  },
  'back (host)': { event: { type: 'back', side: 'host' }, outcome: row('not-away', {}) },
  'finish (policy-changed)': {
    event: { type: 'finish', reason: 'policy-changed' },
    outcome: row('→ended', {}),
  },
  'finish (expired)': { event: { type: 'finish', reason: 'expired' }, outcome: row('→expired', {}) },
};

function row(otherwise: string, cases: Partial<Record<Phase, string>>): Record<Phase, string> {
  return Object.fromEntries(PHASES.map((p) => [p, cases[p] ?? otherwise])) as Record<Phase, string>;
}

function outcome(state: LifecycleState, event: LifecycleEvent): string {
  const result = step(state, event);
  if (!result.ok) return result.refused.code;
  return result.state.phase === state.phase ? '→same' : `→${result.state.phase}`;
}

describe('assistance lifecycle', () => {
  for (const [name, { event, outcome: expected }] of Object.entries(EXPECTED)) {
    it(`${name}: goes where the diagram says from every phase`, () => {
      for (const phase of PHASES) {
        const want = phase === 'ended' || phase === 'expired' ? 'over' : expected[phase];
        const got = outcome(at(phase), event);
        // "→active" from active (an operator's drop) keeps the phase: the same phase, a side away.
        assert.equal(got === '→same' && want === `→${phase}` ? want : got, want, `${name} in ${phase}`);
      }
    });
  }

  it('every refusal is worded for people', () => {
    for (const { event } of Object.values(EXPECTED)) {
      for (const phase of PHASES) {
        const result = step(at(phase), event);
        if (!result.ok) assert.match(result.refused.message, /^[a-z].{10,}/, `${event.type} in ${phase}`);
      }
    }
  });

  it('sides away are kept beside the phase and come back to exactly where it stood', () => {
    let state = at('active');
    for (const side of ['host', 'agent', 'operator'] as const) state = ok(step(state, { type: 'away', side }));
    assert.equal(stateName(state), 'away(host,agent,operator)');
    assert.equal(outcome(state, { type: 'away', side: 'host' }), 'wrong-phase', 'away twice');
    state = ok(step(state, { type: 'back', side: 'agent' }));
    assert.equal(stateName(state), 'away(host,operator)');
    state = ok(step(state, { type: 'back', side: 'host' }));
    state = ok(step(state, { type: 'back', side: 'operator' }));
    assert.deepEqual(state, at('active'));
    assert.equal(stateName(state), 'active');
  });

  it('nobody is let in while the device is away, but a request waits for it', () => {
    const deviceAway = at('ready', ['host']);
    assert.equal(outcome(deviceAway, { type: 'admitted' }), 'device-away');
    assert.equal(outcome(deviceAway, { type: 'consent-asked' }), '→consent-pending');
    assert.equal(outcome(at('consent-pending', ['host']), { type: 'admitted' }), 'device-away');
    // The agent away alone (its host still in) does not stop the user answering.
    assert.equal(outcome(at('consent-pending', ['agent']), { type: 'admitted' }), '→active');
  });

  it('released takes an away operator out of the away sides; ending clears them all and keeps where it ended from', () => {
    assert.deepEqual(ok(step(at('active', ['operator', 'host']), { type: 'released' })), at('released', ['host']));
    const ended = ok(step(at('declined', ['host']), { type: 'finish', reason: 'host-lost' }));
    assert.deepEqual(ended, { phase: 'ended', away: [], endedFrom: 'declined' });
    assert.equal(outcome(ended, { type: 'finish', reason: 'expired' }), 'over');
  });
});

describe('assistance lifecycles (the owner)', () => {
  it('keeps each state in the store, so that the next run takes up the running ones where they stood', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-lifecycle-'));
    const { logger, entries } = captureLogger();
    let store = openSqliteStore(dataDir);
    try {
      store.insertAssistance(record('100000001'));
      store.insertAssistance(record('100000002'));
      const lifecycles = new AssistanceLifecycles({ store, logger });
      lifecycles.begin('100000001');
      lifecycles.begin('100000002');
      const request = {
        sessionId: '100000001',
        mode: 'attended' as const,
        operator: { id: 'op', name: 'Op', organisation: 'Org' },
        deviceName: 'Kiosk',
        audio: false,
      };
      assert.ok(lifecycles.hostRequested('100000001', request).ok);
      assert.deepEqual(lifecycles.awaitedHost('100000001'), request);
      for (const event of [{ type: 'host-in' }, { type: 'admitted' }] as const) lifecycles.apply('100000001', event);
      assert.equal(lifecycles.awaitedHost('100000001'), null, 'the host is in: nothing awaited any more');
      lifecycles.side(['100000001'], 'agent', false);
      lifecycles.apply('100000002', { type: 'finish', reason: 'host-failed' });
      assert.deepEqual(lifecycles.runningIds(), ['100000001']);
      // A follower's report that does not fit is logged, not applied.
      lifecycles.report('100000001', { type: 'consent-asked' });
      assert.ok(entries.some((e) => e.msg === 'assistance event out of place' && e.fields.code === 'busy'));
      assert.equal(stateName(lifecycles.state('100000001')!), 'away(agent)');
      store.close();

      store = openSqliteStore(dataDir);
      const next = new AssistanceLifecycles({ store, logger });
      assert.deepEqual(next.runningIds(), ['100000001']);
      assert.deepEqual(next.state('100000001'), at('active', ['agent']));
      assert.deepEqual(next.state('100000002'), { phase: 'ended', away: [], endedFrom: 'requested' });
      assert.equal(next.apply('100000002', { type: 'host-in' }).ok, false, 'an ended one moves no more');
    } finally {
      store.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

function ok(result: ReturnType<typeof step>): LifecycleState {
  if (!result.ok) throw new Error(`refused: ${result.refused.code}`);
  return result.state;
}

function record(sessionId: string): AssistanceRecord {
  return {
    sessionId,
    deviceId: 'device-1',
    operatorId: 'op',
    mode: 'attended',
    nonce: `nonce-${sessionId}`,
    password: null,
    createdAt: 0,
    activationExpiresAt: 60_000,
    expiresAt: 60_000,
    ...UNUSED_ASSISTANCE,
  };
}
