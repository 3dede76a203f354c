/**
 * The Flexxible Tools' relay built from the relay's parts (server.ts calls this once): where each
 * question ToolRelay asks is answered (the assistance's record and its one lifecycle owner, the
 * session table's parties, the operators' environments and roles, the agents' registry and hub,
 * the policy's capability matrix), and the changes it follows: a policy save or a role
 * assignment re-checks every open tool and re-tells each panel, and an assistance that stops
 * running closes its tools.
 */
import type { Agents } from '../agents/index.js';
import type { AssistanceLifecycles } from '../assistances/lifecycles.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Outgoing } from '../messages.js';
import type { OperatorRegistry } from '../operators.js';
import type { PolicyGate } from '../policy/gate.js';
import type { PolicySettingsStore } from '../policy/policy-settings.js';
import type { Roles } from '../policy/roles.js';
import type { SessionTable } from '../sessions.js';
import type { RelayStore } from '../store/store.js';
import { capabilityToolGate } from './tool-gate.js';
import { ToolRelay } from './tool-relay.js';

export interface ToolsWiring {
  store: RelayStore;
  lifecycles: AssistanceLifecycles;
  /** The session table (late: built with the assistances, which need this relay's announcements). */
  sessions: () => SessionTable;
  operators: OperatorRegistry;
  roles: Roles;
  agents: Agents;
  policy: PolicySettingsStore;
  policyGate: PolicyGate;
  audit: AuditTrail;
  deliver: (messages: Outgoing[]) => void;
}

export function wireToolRelay(w: ToolsWiring): ToolRelay {
  const { store, lifecycles, roles, agents } = w;
  const tools = new ToolRelay({
    assistance(sessionId) {
      const record = store.getAssistance(sessionId);
      const state = lifecycles.state(sessionId);
      return record && state && { deviceId: record.deviceId, operatorId: record.operatorId, mode: record.mode, state };
    },
    parties: (sessionId) => w.sessions().parties(sessionId),
    operator(operatorId) {
      const record = store.getOperator(operatorId);
      return record && { id: record.id, name: record.name, organisation: record.organisation };
    },
    roleOf: (operatorId) => roles.ofOperator(operatorId),
    environmentOfOperator: (operatorId) => w.operators.environment(operatorId) ?? 'default',
    environmentOfDevice: (deviceId) => agents.registry.get(deviceId)?.environmentId ?? null,
    signedIn: (deviceId) => agents.hub.device(deviceId)?.userSessions.map((s) => s.user) ?? [],
    runningSessions: () => lifecycles.runningIds(),
    gate: capabilityToolGate((deviceId, role, capability, mode) =>
      w.policyGate.capability(deviceId, role, capability, mode),
    ),
    toAgent: agents.hub.sendTool,
    audit: w.audit,
  });
  // Switching a tool off (or giving an operator another role) closes it at once, and the panels are told.
  w.policy.onChange(() => w.deliver(tools.policyChanged()));
  roles.onChange(() => w.deliver(tools.policyChanged()));
  // Released by its operator or over: its tools close at once.
  lifecycles.onChange((sessionId, state) => tools.stateChanged(sessionId, state));
  return tools;
}
