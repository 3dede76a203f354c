/**
 * POST /api/v1/enrol: an agent trades an enrolment token for a device id and its agent token.
 * The agent token is a device token of the device registry (`flxra_dev_…`, stored as its HMAC
 * under the token pepper like operators' tokens), so its checks, revocation and removal are the
 * registry's. Each enrolment takes one of the enrolment token's uses (single-use by default).
 *
 * A machine enrolling again is not a new device: the agent sends its machine identity and the
 * device id it had, and a device of the token's environment that matches keeps its record (id,
 * name, history); it gets a new credential, and the old one's connections and assistances end
 * (`credentialReplaced`: the revocation path).
 */
import { EnrolRequest, type EnrolResponse } from '../../shared/agent-protocol.js';
import type { Clock } from '../clock.js';
import type { DeviceRegistry, IssuedDevice } from '../devices.js';
import type { RelayLogger } from '../log.js';
import { summarizeIssues } from '../validate.js';
import type { AgentDeviceRecord } from './agent-store.js';
import type { EnrolmentTokens } from './enrolment-tokens.js';
import type { AgentRegistry } from './registry.js';

export interface EnrolledDevice {
  deviceId: string;
  hostname: string;
  reportGroup: string;
  agentVersion: string;
  /** The device's record was reused (the same machine enrolled again). */
  reused: boolean;
}

export interface EnrolDeps {
  tokens: EnrolmentTokens;
  devices: DeviceRegistry;
  registry: AgentRegistry;
  clock: Clock;
  logger: RelayLogger;
  /** A device enrolled again: what its old credential holds open (connections, assistances) ends now. */
  credentialReplaced: (deviceId: string) => void;
  /** For the audit trail: a device joined the environment, or joined it again. */
  onEnrolled?: (device: EnrolledDevice) => void;
}

export type EnrolResult =
  | { ok: true; response: EnrolResponse }
  | { ok: false; status: 400 | 403; code: 'bad-request' | 'enrolment-refused'; message: string };

/**
 * The device a request enrols again, if any: the one it names, unless that one is another
 * machine's (a state folder copied elsewhere), else the one its machine identity last enrolled.
 */
function previousDevice(deps: EnrolDeps, environmentId: string, request: EnrolRequest): AgentDeviceRecord | null {
  const { deviceId, machineIdentity = null } = request;
  const named = deviceId === undefined ? null : deps.registry.record(deviceId);
  if (
    named &&
    named.environmentId === environmentId &&
    (named.machineIdentity === null || named.machineIdentity === machineIdentity)
  )
    return named;
  return machineIdentity === null ? null : deps.registry.byMachine(environmentId, machineIdentity);
}

export async function enrolAgent(deps: EnrolDeps, body: unknown): Promise<EnrolResult> {
  const parsed = EnrolRequest.safeParse(body);
  if (!parsed.success)
    return {
      ok: false,
      status: 400,
      code: 'bad-request',
      message: `invalid enrolment request: ${summarizeIssues(parsed.error)}`,
    };
  // The host name is checked (and trimmed) by the schema, under the one rule the registry keeps
  // names by (src/shared/names.ts): a name it takes, the registry takes, before a use is spent.
  const { enrolmentToken, hostname, os, agentVersion } = parsed.data;
  const machineIdentity = parsed.data.machineIdentity ?? null;
  const scope = deps.tokens.use(enrolmentToken);
  // One answer for every kind of bad token (nothing to probe with); a used-up one is told so.
  if (!scope.ok) return { ok: false, status: 403, code: 'enrolment-refused', message: scope.message };
  const enrolledAt = deps.clock.now();
  const previous = previousDevice(deps, scope.environmentId, parsed.data);
  const reissued = previous && deps.devices.reissue(previous.deviceId);
  let issued: IssuedDevice;
  if (reissued) {
    issued = reissued;
    deps.registry.reenrolled({
      deviceId: issued.device.id,
      reportGroup: scope.reportGroup,
      hostname,
      os,
      agentVersion,
      enrolledAt,
      machineIdentity,
    });
    // The old credential is dead already; what it still holds open goes the way a removal's does.
    deps.credentialReplaced(issued.device.id);
  } else {
    issued = await deps.devices.add({ name: hostname });
    deps.registry.enrolled({
      deviceId: issued.device.id,
      environmentId: scope.environmentId,
      reportGroup: scope.reportGroup,
      hostname,
      os,
      agentVersion,
      userSessions: [],
      enrolledAt,
      lastSeen: null,
      machineIdentity,
    });
  }
  const deviceId = issued.device.id;
  const reused = reissued !== null && reissued !== undefined;
  deps.onEnrolled?.({ deviceId, hostname, reportGroup: scope.reportGroup, agentVersion, reused });
  deps.logger.info(reused ? 'device enrolled again' : 'device enrolled', {
    device: deviceId,
    enrolmentToken: scope.id,
    group: scope.reportGroup,
    version: agentVersion,
  });
  return {
    ok: true,
    response: {
      deviceId,
      agentToken: issued.token,
      environmentId: scope.environmentId,
      reportGroup: scope.reportGroup,
      reused,
    },
  };
}
