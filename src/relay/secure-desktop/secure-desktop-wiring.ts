/**
 * The secure desktop's two relay parts built from the relay's parts, as tools-wiring.ts builds the
 * tools' one: the input (the admitted operator with control → the device's agent, never the host)
 * and the way back (the state to operator and host, frames to the operator only). Kept out of
 * server.ts so that the server only says which parts exist and how they are told of each other.
 */
import type { AssistRelay } from '../tools/assist-relay.js';
import type { ToolsWiring } from '../tools/tools-wiring.js';
import type { RelayLogger } from '../log.js';
import { SecureDesktopRelay } from './secure-desktop-relay.js';
import { SecureDesktopStream } from './secure-desktop-stream.js';

export interface SecureDesktopWiring extends Pick<
  ToolsWiring,
  'store' | 'lifecycles' | 'sessions' | 'agents' | 'audit'
> {
  /** The policy's keys.special for Ctrl+Alt+Del comes from the features the assist relay decides. */
  assist: AssistRelay;
  deviceOf: (sessionId: string) => string | null;
  logger: RelayLogger;
}

export function wireSecureDesktop(w: SecureDesktopWiring): { input: SecureDesktopRelay; stream: SecureDesktopStream } {
  const { store, lifecycles, agents, assist } = w;
  const input = new SecureDesktopRelay({
    assistance(sessionId) {
      const record = store.getAssistance(sessionId);
      const state = lifecycles.state(sessionId);
      return record && state ? { operatorId: record.operatorId, state } : null;
    },
    operator(sessionId) {
      const operator = w.sessions().session(sessionId)?.operator;
      return operator ? { conn: operator.conn, access: operator.mode ?? null } : null;
    },
    toAgent: agents.hub.sendSecureDesktopInput,
    deviceOf: w.deviceOf,
    specialKeys: (sessionId) => assist.features(sessionId)?.specialKeys ?? null,
    audit: w.audit,
  });
  const stream = new SecureDesktopStream({
    state: (sessionId) => lifecycles.state(sessionId),
    parties: (sessionId) => w.sessions().parties(sessionId),
    log: (message, fields) => w.logger.info(message, fields),
  });
  return { input, stream };
}
