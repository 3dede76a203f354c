/**
 * What the operator's panel shows before anything is asked: for an assistance, which of the four tools this
 * operator may use on this device and, for each refused one, the reason in the operator's words; and whether a
 * terminal may run as a signed-in user, as whom. The same checks the relay makes on each request (tool-relay.ts),
 * asked ahead: the device has an agent, operator and device share an environment, the gate (the policy) allows the
 * tool. A panel built from this list never offers what the relay would refuse; the relay still checks every request.
 */
import type { AssistanceMode, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import { TERMINAL_KINDS, ToolKind, type ToolAvailability, type ToolsAvailable } from '../../shared/tools-protocol.js';
import type { ToolRefusalCode } from '../../shared/tools-results.js';
import type { ToolGate } from './tool-gate.js';

export interface AvailabilityContext {
  sessionId: SessionId;
  operator: OperatorIdentity;
  role: string;
  deviceId: string;
  mode: AssistanceMode;
  /** null: the device has no agent. */
  deviceEnvironment: string | null;
  operatorEnvironment: string;
  /** The users signed in on the device now (its agent's report). */
  signedIn: readonly string[];
}

/** A refusal that holds for every tool (no agent, another environment), or null when each tool's decision counts. */
export function environmentRefusal(
  deviceEnvironment: string | null,
  operatorEnvironment: string,
): { code: ToolRefusalCode; message: string } | null {
  if (deviceEnvironment === null)
    return { code: 'not-supported', message: 'This device has no agent: it has no admin tools.' };
  if (deviceEnvironment !== operatorEnvironment)
    return {
      code: 'other-environment',
      message: `The device is in the environment ${deviceEnvironment}, you are in ${operatorEnvironment}: tools do not cross environments.`,
    };
  return null;
}

export function toolsAvailable(gate: ToolGate, ctx: AvailabilityContext): ToolsAvailable {
  const { sessionId, operator, role, deviceId, mode } = ctx;
  const everyTool = environmentRefusal(ctx.deviceEnvironment, ctx.operatorEnvironment)?.message;
  const decide = (tool: ToolKind, userShell: boolean) =>
    gate.decide({ operator, role, deviceId, sessionId, mode, tool, userShell });
  const tools = ToolKind.options.map((tool): ToolAvailability => {
    if (everyTool) return { tool, allowed: false, reason: everyTool };
    const decision = decide(tool, false);
    return decision.allowed ? { tool, allowed: true } : { tool, allowed: false, reason: decision.reason };
  });
  if (everyTool) return { sessionId, tools };
  // As the user: a terminal the operator may open at all, and the policy's user-shell capability on top.
  const terminal = TERMINAL_KINDS.find((kind) => tools.some((t) => t.tool === kind && t.allowed));
  const asUser = terminal
    ? decide(terminal, true)
    : ({ allowed: false, reason: 'No terminal is allowed to you on this device.' } as const);
  const users = [...new Set(ctx.signedIn)].slice(0, 64);
  const userTerminal: ToolsAvailable['userTerminal'] = !asUser.allowed
    ? { allowed: false, reason: asUser.reason }
    : users.length === 0
      ? { allowed: false, reason: 'Nobody is signed in on the device just now.' }
      : { allowed: true, users };
  return { sessionId, tools, userTerminal };
}
