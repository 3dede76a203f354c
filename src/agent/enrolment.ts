/**
 * The agent's enrolment as a whole: enrolling (the relay's answer stored, the token in the
 * keychain or, without one, the state folder's owner-only credential file (credentials.ts), the
 * rest in the state directory) or finding the stored one on later runs.
 */
import type { Agent } from 'node:http';
import os from 'node:os';
import type { CredentialStore } from '../platform/credentials/credential-store.js';
import { createMachineIdentityReader, type MachineIdentityReader } from '../platform/machine-identity/index.js';
import { secureRelayUrl } from '../shared/relay-url.js';
import { agentTokenAccount, type AgentCredentials } from './credentials.js';
import { AGENT_VERSION, describeOs } from './device-info.js';
import { enrol } from './enrol.js';
import { readAgentState, writeAgentState, type AgentState } from './state.js';

export interface Enrolment {
  state: AgentState;
  agentToken: string;
}

/** Someone has to act (enrol the device, unlock or set up a keychain): exit code 3, not a retry loop. */
export class EnrolmentProblem extends Error {}

/**
 * Enrols with the token. The machine's identity and the device id this agent had with the same
 * relay go with it, so that a machine enrolling again keeps its device record there.
 */
export async function enrolDevice(
  relayUrl: string,
  enrolmentToken: string,
  stateDir: string,
  keychain: CredentialStore,
  machine: MachineIdentityReader = createMachineIdentityReader(),
  /** The proxy's agent (relay-route.ts); absent: direct. */
  agent?: Agent,
): Promise<Enrolment> {
  const previous = await readAgentState(stateDir).catch(() => null);
  const sameRelay = previous !== null && new URL(previous.relayUrl).origin === new URL(relayUrl).origin;
  const machineIdentity = await machine.read().catch(() => null);
  const answer = await enrol(
    relayUrl,
    {
      enrolmentToken,
      hostname: os.hostname(),
      os: describeOs(),
      agentVersion: AGENT_VERSION,
      ...(machineIdentity === null ? {} : { machineIdentity }),
      ...(sameRelay ? { deviceId: previous.deviceId } : {}),
    },
    agent,
  );
  const state: AgentState = {
    relayUrl,
    deviceId: answer.deviceId,
    environmentId: answer.environmentId,
    reportGroup: answer.reportGroup,
    enrolledAt: new Date().toISOString(),
  };
  // Keychain first: a state file naming a credential that was never stored would be worse.
  await keychain.set(agentTokenAccount(state), answer.agentToken);
  await writeAgentState(stateDir, state);
  // Re-enrolled as another device (or with another relay): the previous credential is of no use any more.
  if (previous && agentTokenAccount(previous) !== agentTokenAccount(state))
    await keychain.delete(agentTokenAccount(previous));
  return { state, agentToken: answer.agentToken };
}

export async function storedEnrolment(
  stateDir: string,
  relayUrl: string | undefined,
  keychain: AgentCredentials,
): Promise<Enrolment> {
  const state = await readAgentState(stateDir);
  if (!state)
    throw new EnrolmentProblem(
      `This device is not enrolled yet (no state in ${stateDir}). Run the agent once with --relay <url> --enroll-file <file holding an enrolment token>.`,
    );
  // Enrolled before relays had to be https: the agent does not go on in plain text.
  const stored = secureRelayUrl(state.relayUrl);
  if (!stored.ok) throw new EnrolmentProblem(`${stored.message} Enrol the device again with its https:// address.`);
  if (relayUrl !== undefined && new URL(relayUrl).origin !== new URL(state.relayUrl).origin) {
    throw new EnrolmentProblem(
      `This device is enrolled with ${state.relayUrl}, not ${relayUrl}. To move it, enrol it again with --enroll-file.`,
    );
  }
  const agentToken = await keychain.get(agentTokenAccount(state));
  if (!agentToken)
    throw new EnrolmentProblem(
      `The agent's credential for device ${state.deviceId} is not in ${keychain.lookedIn}. Enrol the device again with --enroll-file <file holding an enrolment token>.`,
    );
  return { state, agentToken };
}
