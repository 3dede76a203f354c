/**
 * The clipboard's and the chat's relay (assist-relay.ts) built from the relay's parts, as tools-wiring.ts builds the
 * tools' one: a session is active for them once its operator is admitted (and, for an assistance, its lifecycle is
 * active); the policy's capability matrix decides; a policy save or a role change re-tells both parties.
 */
import type { ToolsWiring } from './tools-wiring.js';
import { AssistRelay, type AssistSession } from './assist-relay.js';

export interface AssistWiring extends ToolsWiring {
  now: () => number;
  /** An enrolled device's ID from its host's connection (a plain session has no assistance record to say it). */
  deviceOfHost: (conn: string) => string | null;
}

export function wireAssistRelay(w: AssistWiring): AssistRelay {
  const { roles } = w;
  const assist = new AssistRelay({
    session: assistSessions(w),
    roleOf: (operatorId) => roles.ofOperator(operatorId),
    capability: (deviceId, role, capability, mode) => w.policyGate.capability(deviceId, role, capability, mode),
    filesPolicy: (deviceId) => w.policyGate.policyFor(deviceId).files,
    now: w.now,
    audit: w.audit,
  });
  w.policy.onChange(() => w.deliver(assist.policyChanged()));
  roles.onChange(() => w.deliver(assist.policyChanged()));
  return assist;
}

/** A session as the clipboard, the chat and the recording see it (null: no operator in or asking). */
export function assistSessions(w: AssistWiring): (sessionId: string) => AssistSession | null {
  const { store, lifecycles } = w;
  return (sessionId) => {
    const s = w.sessions().session(sessionId);
    if (!s?.operator) return null;
    const record = store.getAssistance(sessionId);
    const admitted = s.operator.mode !== null && s.operator.conn !== null;
    const active = admitted && (s.assistance === null || lifecycles.state(sessionId)?.phase === 'active');
    return {
      deviceId: record?.deviceId ?? (s.hostConn ? w.deviceOfHost(s.hostConn) : null) ?? '',
      mode: record?.mode ?? s.assistance ?? 'attended',
      active,
      operator: s.operator.identity,
      operatorConn: admitted ? s.operator.conn : null,
      hostConn: s.hostConn,
      deviceName: s.deviceName,
    };
  };
}
