/**
 * The life of one assistance as a state machine, pure and free of sockets and storage: its named
 * phases, the events that move it, and the refusals (as data, worded for people) of events that
 * make no sense where it stands. The relay's one owner of each assistance's state
 * (lifecycles.ts) keeps and persists what this computes; everything else asks it.
 *
 *   requested ─host-requested→ host-starting ─host-in→ ready        (a connected host: requested ─host-in→ ready)
 *   ready | declined ─consent-asked→ consent-pending ─consent-refused→ declined (withdrawn: ready)
 *   ready | declined | consent-pending ─admitted→ active ─released→ released
 *   from ready on: away(side) ⇄ back(side), side = host | operator (admitted only) | agent
 *   any phase ─finish(reason)→ ended(reason); expired when the reason is 'expired'
 *
 * (docs/architecture.md draws it in full.)
 *
 * "Away" is not a phase of its own: the sides whose connection dropped and may come back are
 * kept beside the phase (several at once: a Wi-Fi change takes the host and its agent), so that
 * coming back returns to exactly where the assistance stood. Away is shown as the state's name
 * (stateName) while any side is away.
 */
import { z } from 'zod';
import type { EndReason } from '../../shared/protocol.js';

export const PHASES = [
  'requested', // stored; its host is not in yet
  'host-starting', // the device's agent was asked to start its host
  'ready', // its host is in; nobody has opened the file yet
  'declined', // the user said no (or nobody answered); the operator may ask again with the same file
  'consent-pending', // the operator opened the file; the user is asked
  'active', // the operator was admitted (by consent or password)
  'released', // the admitted operator's connection ended on purpose: nobody comes in any more; it expires
  'ended', // over, for a reason both sides were told
  'expired', // over because its time ran out
] as const;
export type Phase = (typeof PHASES)[number];

export type Side = 'host' | 'operator' | 'agent';

export interface LifecycleState {
  phase: Phase;
  /** The sides whose connection dropped and may come back, in the order they left. */
  away: readonly Side[];
  /** Once over: the phase it ended from (what the console tells from: declined, never entered). */
  endedFrom: Phase | null;
}

export type LifecycleEvent =
  | { type: 'host-requested' }
  | { type: 'host-in' }
  | { type: 'consent-asked' }
  | { type: 'consent-refused'; by: 'declined' | 'timeout' | 'withdrawn' }
  | { type: 'admitted' }
  | { type: 'released' }
  | { type: 'away'; side: Side }
  | { type: 'back'; side: Side }
  | { type: 'finish'; reason: EndReason };

export type LifecycleRefusalCode =
  | 'over' // it has ended: nothing moves it any more
  | 'not-ready' // its host is not in yet
  | 'device-away' // the device is reconnecting: nobody is asked or let in meanwhile
  | 'busy' // an operator is in already (or being asked for)
  | 'not-admitted' // no operator was ever admitted: nothing to be away from or to release
  | 'not-away' // that side is not away
  | 'wrong-phase'; // the event has no meaning where the assistance stands

export interface LifecycleRefusal {
  code: LifecycleRefusalCode;
  message: string;
}

/** What the store reads back (a hand-edited database cannot inject shapes). */
export const LIFECYCLE_STATE = z.object({
  phase: z.enum(PHASES),
  away: z.array(z.enum(['host', 'operator', 'agent'])),
  endedFrom: z.enum(PHASES).nullable(),
});

export type StepResult = { ok: true; state: LifecycleState } | { ok: false; refused: LifecycleRefusal };

export const INITIAL_STATE: LifecycleState = { phase: 'requested', away: [], endedFrom: null };

/** What a new assistance's record holds besides what its request decided: nothing used, nobody in yet. */
export const UNUSED_ASSISTANCE = {
  nonceUsedAt: null,
  resumeHash: null,
  failures: 0,
  lastFailureAt: null,
  lockedAt: null,
  endedAt: null,
  endReason: null,
  hostResumeHash: null,
  hostAwayUntil: null,
  deviceName: null,
  accessMode: null,
  lifecycle: INITIAL_STATE,
} as const;

/** Phases in which the host is in its session and the file may be opened. */
const OPENABLE: readonly Phase[] = ['ready', 'declined'];
const ADMITTED: readonly Phase[] = ['active', 'released'];

export function isOver(state: LifecycleState): boolean {
  return state.phase === 'ended' || state.phase === 'expired';
}

/** The state's name as the audit log and the console's diagnostics show it: "away(host,agent)" while a side is away. */
export function stateName(state: LifecycleState): string {
  return state.away.length > 0 && !isOver(state) ? `away(${state.away.join(',')})` : state.phase;
}

/** Where `event` takes an assistance in `state`, or why it does not. */
export function step(state: LifecycleState, event: LifecycleEvent): StepResult {
  if (isOver(state)) return refuse('over', 'this assistance is over');
  const to = (phase: Phase, away: readonly Side[] = state.away): StepResult => ({
    ok: true,
    state: { phase, away, endedFrom: null },
  });
  const { phase } = state;
  switch (event.type) {
    case 'host-requested':
      return phase === 'requested' ? to('host-starting') : wrongPhase(state, event.type);
    case 'host-in':
      return phase === 'requested' || phase === 'host-starting' ? to('ready') : wrongPhase(state, event.type);
    case 'consent-asked':
      // A device away is asked once it is back: the request waits.
      if (phase === 'requested' || phase === 'host-starting') return notReady();
      if (phase === 'consent-pending' || ADMITTED.includes(phase))
        return refuse('busy', 'another operator is already in this session');
      return to('consent-pending');
    case 'consent-refused':
      if (phase !== 'consent-pending') return wrongPhase(state, event.type);
      return to(event.by === 'withdrawn' ? 'ready' : 'declined');
    case 'admitted':
      if (phase === 'requested' || phase === 'host-starting') return notReady();
      if (ADMITTED.includes(phase)) return refuse('busy', 'another operator is already in this session');
      if (state.away.includes('host')) return deviceAway();
      return phase === 'consent-pending' || OPENABLE.includes(phase) ? to('active') : wrongPhase(state, event.type);
    case 'released':
      if (phase !== 'active') return notAdmitted(state, event.type);
      return to('released', without(state.away, 'operator'));
    case 'away':
      return away(state, event.side, to);
    case 'back':
      if (!state.away.includes(event.side)) return refuse('not-away', `the ${event.side} is not away`);
      return to(phase, without(state.away, event.side));
    case 'finish':
      return {
        ok: true,
        state: { phase: event.reason === 'expired' ? 'expired' : 'ended', away: [], endedFrom: phase },
      };
  }
}

function away(state: LifecycleState, side: Side, to: (phase: Phase, away: readonly Side[]) => StepResult): StepResult {
  if (state.away.includes(side)) return refuse('wrong-phase', `the ${side} is away already`);
  // Only an admitted operator is kept while away; one still asking is withdrawn instead.
  if (side === 'operator' && state.phase !== 'active') return notAdmitted(state, 'away');
  // Nothing of the host's exists to be away from before it is in.
  if (side !== 'operator' && (state.phase === 'requested' || state.phase === 'host-starting')) return notReady();
  return to(state.phase, [...state.away, side]);
}

function without(away: readonly Side[], side: Side): readonly Side[] {
  return away.filter((s) => s !== side);
}

function refuse(code: LifecycleRefusalCode, message: string): StepResult {
  return { ok: false, refused: { code, message } };
}

function notReady(): StepResult {
  return refuse('not-ready', 'the device has not started the assistance yet');
}

function deviceAway(): StepResult {
  return refuse('device-away', 'the device is reconnecting to the relay; try again in a moment');
}

function notAdmitted(state: LifecycleState, event: string): StepResult {
  return refuse('not-admitted', `${event}: no operator is admitted (the assistance is ${stateName(state)})`);
}

function wrongPhase(state: LifecycleState, event: string): StepResult {
  return refuse('wrong-phase', `${event} does not apply: the assistance is ${stateName(state)}`);
}
