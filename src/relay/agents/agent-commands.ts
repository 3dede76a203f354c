/**
 * What the relay does with each event a device agent sends, checked against the contract
 * (agent-protocol.ts, parsed by hub-model.ts): apart from AgentHub (hub.ts), which keeps the
 * bookkeeping of the agents' connections and assistances (graces, hosts starting, carried over),
 * so that the one switch over the agent's events reads on its own. Refusals go back as relay:error.
 */
import type { SessionId } from '../../shared/protocol.js';
import { shownEventName } from '../validate.js';
import { parseAgentCommand, type AgentAssistance, type AgentHubDeps, type AgentSocket } from './hub-model.js';

/** What of the hub an agent's event reads or acts on. */
export interface AgentCommandContext {
  readonly deps: AgentHubDeps;
  readonly assistances: ReadonlyMap<SessionId, AgentAssistance>;
  /** A pending host failed (the agent could not start it). */
  fail(sessionId: SessionId, message: string): void;
}

export function handleAgentEvent(hub: AgentCommandContext, socket: AgentSocket, event: string, payload: unknown): void {
  const { deps, assistances } = hub;
  const { deviceId } = socket.data;
  if (deps.deviceGone(deviceId)) return;
  const shown = shownEventName(event);
  const refuse = (code: string, message: string) => {
    deps.logger.warn('agent refused', { socket: socket.id, event: shown, code, message });
    socket.emit('relay:error', { code, message, event: shown });
  };
  const parsed = parseAgentCommand(event, payload, shown);
  if ('refused' in parsed) return refuse(parsed.refused.code, parsed.refused.message);
  const { command } = parsed;
  // An agent speaks only of the assistances it was asked to start.
  const ours = (sessionId: SessionId): boolean => {
    if (assistances.get(sessionId)?.agentConn === socket.id) return true;
    refuse('not-in-session', `session ${sessionId} is not one this agent was asked to start`);
    return false;
  };
  // An assistance already over is forgotten in silence (its agent was told to stop); else ours.
  const oursLive = (sessionId: SessionId): boolean => assistances.has(sessionId) && ours(sessionId);
  switch (command.event) {
    case 'agent:report':
      return deps.registry.report(deviceId, socket.id, command.payload);
    case 'agent:host-started':
      if (!ours(command.payload.sessionId)) return;
      return deps.logger.info('agent started a host', { device: deviceId, session: command.payload.sessionId });
    case 'agent:host-exited': {
      const { sessionId } = command.payload;
      // An assistance already over (its agent was told to stop the host) is forgotten: nothing to do.
      if (!oursLive(sessionId)) return;
      deps.logger.info("an assistance's host exited", { device: deviceId, session: sessionId });
      return deps.deliver(deps.hostExited(sessionId, deviceId));
    }
    case 'agent:host-failed': {
      const { sessionId, message } = command.payload;
      if (!ours(sessionId)) return;
      deps.logger.warn('agent could not start a host', { device: deviceId, session: sessionId, message });
      return hub.fail(sessionId, message);
    }
    case 'tool:event': {
      const { sessionId } = command.payload;
      // An assistance already over: its tools are being closed; nothing goes anywhere.
      if (!oursLive(sessionId)) return;
      return deps.deliver(deps.toolEvent(sessionId, command.payload.event));
    }
    case 'secure-desktop:refused': {
      const { sessionId, code, message } = command.payload;
      if (!oursLive(sessionId)) return;
      return deps.deliver(deps.secureDesktopRefused(sessionId, { code, message }));
    }
    // Only this device's agent, for an assistance it was asked to start (ours); the relay's
    // secure-desktop part drops what comes for an assistance not running.
    case 'secure-desktop:state': {
      const { sessionId, up } = command.payload;
      if (!oursLive(sessionId)) return;
      return deps.deliver(deps.secureDesktopStream(sessionId, { kind: 'state', up }));
    }
    case 'secure-desktop:helper': {
      const { sessionId, attached } = command.payload;
      if (!oursLive(sessionId)) return;
      return deps.deliver(deps.secureDesktopStream(sessionId, { kind: 'helper', attached }));
    }
    case 'secure-desktop:frame': {
      const { sessionId, frame } = command.payload;
      if (!oursLive(sessionId)) return;
      return deps.deliver(deps.secureDesktopStream(sessionId, { kind: 'frame', frame }));
    }
  }
}
