/**
 * The one place the relay asks whether a Flexxible Tools request may reach the device: an injected
 * `ToolGate`, so that the relay's carrying of tool traffic (tool-relay.ts) knows nothing of how the
 * policy is modelled. What the gate does not decide is structural and stays in the relay: the
 * assistance open with this operator admitted and its device not away, operator and device in the
 * same environment.
 *
 * The wiring (`capabilityToolGate`): the capability matrix (src/shared/capabilities.ts) for the
 * operator identity's role on the device's report group, `tool.<kind>` for the tool, also
 * `tool.user-shell` for a terminal as the signed-in user; a tool during an unattended assistance
 * needs `tool.unattended` too (capability-decision.ts).
 */
import type { CapabilityDecision } from '../../shared/capability-decision.js';
import type { Capability } from '../../shared/capabilities.js';
import type { AssistanceMode, OperatorIdentity } from '../../shared/protocol.js';
import type { ToolKind } from '../../shared/tools-protocol.js';
import type { ToolRefusalCode } from '../../shared/tools-results.js';

export interface ToolContext {
  operator: OperatorIdentity;
  /** The operator identity's role in the capability matrix (built in or defined in the console). */
  role: string;
  deviceId: string;
  sessionId: string;
  mode: AssistanceMode;
  tool: ToolKind;
  /** A terminal opened as the signed-in user, not as the agent's account. */
  userShell: boolean;
}

export type ToolDecision = { allowed: true } | { allowed: false; code: ToolRefusalCode; reason: string };

export interface ToolGate {
  decide(ctx: ToolContext): ToolDecision;
}

const CAPABILITY: Record<ToolKind, Capability> = {
  cmd: 'tool.cmd',
  powershell: 'tool.powershell',
  registry: 'tool.registry',
  processes: 'tool.processes',
};

export type CapabilityLookup = (
  deviceId: string,
  role: string,
  capability: Capability,
  mode: AssistanceMode,
) => CapabilityDecision;

/** The policy's capability matrix decides (PolicyGate.capability). */
export function capabilityToolGate(lookup: CapabilityLookup): ToolGate {
  return {
    decide({ role, deviceId, mode, tool, userShell }) {
      const needed: Capability[] = userShell ? [CAPABILITY[tool], 'tool.user-shell'] : [CAPABILITY[tool]];
      for (const capability of needed) {
        const decision = lookup(deviceId, role, capability, mode);
        if (!decision.allowed) return { allowed: false, code: 'not-permitted', reason: decision.reason };
      }
      return { allowed: true };
    },
  };
}
