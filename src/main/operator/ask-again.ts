/**
 * "Ask again": after a decline, a timeout or leaving, the operator requests a new assistance for
 * the same device in one click. The device comes from the last activation file (its signed
 * `device` claim); the request is the operators' API's (POST /api/v1/assistances) with this
 * app's token for that relay, so the relay's policy decides, and its refusal is shown as said.
 */
import type { OperatorState } from '../../shared/ipc.js';
import type { EndReason, RequestedMode } from '../../shared/protocol.js';
import { API_PREFIX, AssistanceResponse } from '../../shared/relay-api.js';
import { postToRelay } from './relay-http.js';
import type { RelayRoutes } from '../relay-route.js';

export interface AgainTarget {
  /** The relay's origin, as the file named it. */
  relay: string;
  deviceId: string;
  deviceName: string;
  /** What was asked for the first time (dynamic stays dynamic: the relay chooses again). */
  mode: RequestedMode;
}

/** Ends after which asking again cannot help: the device or the operator's access is gone. */
const FINAL: ReadonlySet<EndReason> = new Set(['device-removed', 'operator-revoked', 'policy-changed', 'replaced']);

/** The state with Ask again offered, where an assistance for that device is over or was refused. */
export function againState(state: OperatorState, target: AgainTarget | null): OperatorState {
  if (!target || 'again' in state) return state;
  const again = { deviceName: target.deviceName };
  if (state.status === 'ended' && !FINAL.has(state.reason)) return { ...state, again };
  if (state.status === 'refused') return { ...state, again };
  return state;
}

export type AgainAnswer = { ok: true; content: string; password?: string } | { ok: false; message: string };

export async function requestAgain(target: AgainTarget, token: string, routes?: RelayRoutes): Promise<AgainAnswer> {
  const answer = await postToRelay(
    target.relay,
    `${API_PREFIX}/assistances`,
    { deviceId: target.deviceId, mode: target.mode },
    AssistanceResponse,
    { token, ...(routes ? { routes } : {}) },
  );
  if (!answer.ok) {
    const why = answer.message.replace(/\.?$/, '.');
    return {
      ok: false,
      message: `flxra could not ask ${target.deviceName} again: ${why.charAt(0).toUpperCase()}${why.slice(1)}`,
    };
  }
  const { activation, password } = answer.body;
  return { ok: true, content: activation.content, ...(password ? { password } : {}) };
}
