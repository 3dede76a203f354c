/**
 * The agent namespace's handshake: an agent connects with its device token (and the instance id
 * of this run of it); the relay admits it only for an enrolled agent's device, and a refusal says
 * whether retrying can help (connectRefusalError's codes, which src/agent/agent.ts acts on).
 * Split out of the hub (hub.ts), which serves what an admitted agent then says.
 */
import { AgentHandshake } from '../../shared/agent-protocol.js';
import { connectRefusalError } from '../../shared/protocol.js';
import type { AgentData, AgentHubDeps, AgentNamespace } from './hub-model.js';

type HandshakeDeps = Pick<AgentHubDeps, 'devices' | 'registry' | 'guard' | 'logger'>;

/** Who an agent's handshake says it is: an enrolled agent's device and this run of it, or nobody. */
async function authenticate(auth: unknown, deps: HandshakeDeps): Promise<AgentData | null> {
  const parsed = AgentHandshake.safeParse(auth);
  if (!parsed.success) return null;
  const device = await deps.devices.verify(parsed.data.agentToken);
  // A device token of a host-only device (relay device add) is not an agent's.
  return device && deps.registry.has(device.id) ? { deviceId: device.id, instanceId: parsed.data.instanceId } : null;
}

export function checkAgentHandshakes(nsp: AgentNamespace, deps: HandshakeDeps): void {
  const { logger } = deps;
  nsp.use((socket, next) => {
    authenticate(socket.handshake.auth, deps).then(
      (data) => {
        if (data === null) {
          logger.warn('agent handshake refused', { socket: socket.id });
          // Final for the agent (src/agent/agent.ts): someone must enrol the device again.
          return next(connectRefusalError('unauthorized', 'invalid or revoked agent token'));
        }
        socket.data = data;
        deps.guard.admit(socket, 'credential');
        next();
      },
      (err: unknown) => {
        logger.error('agent handshake failed', {
          socket: socket.id,
          error: err instanceof Error ? err.message : String(err),
        });
        next(connectRefusalError('unavailable', 'the relay could not check the credentials'));
      },
    );
  });
}
