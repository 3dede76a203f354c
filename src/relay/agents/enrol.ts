/**
 * POST /api/v1/enrol: an agent trades an enrolment token for a device id and its agent token.
 * The agent token is a device token of the device registry (`flxra_dev_…`, stored as its HMAC
 * under the token pepper like operators' tokens), so its checks, revocation and removal are the
 * registry's. Each enrolment takes one of the enrolment token's uses (single-use by default).
 */
import { EnrolRequest, type EnrolResponse } from '../../shared/agent-protocol.js';
import type { Clock } from '../clock.js';
import type { DeviceRegistry } from '../devices.js';
import type { RelayLogger } from '../log.js';
import { summarizeIssues } from '../validate.js';
import type { EnrolmentTokens } from './enrolment-tokens.js';
import type { AgentRegistry } from './registry.js';

export interface EnrolDeps {
  tokens: EnrolmentTokens;
  devices: DeviceRegistry;
  registry: AgentRegistry;
  clock: Clock;
  logger: RelayLogger;
  /** For the audit trail: a device joined the environment. */
  onEnrolled?: (device: { deviceId: string; hostname: string; reportGroup: string; agentVersion: string }) => void;
}

export type EnrolResult =
  | { ok: true; response: EnrolResponse }
  | { ok: false; status: 400 | 403; code: 'bad-request' | 'enrolment-refused'; message: string };

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
  const scope = deps.tokens.use(enrolmentToken);
  // One answer for every kind of bad token (nothing to probe with); a used-up one is told so.
  if (!scope.ok) return { ok: false, status: 403, code: 'enrolment-refused', message: scope.message };
  const { device, token } = await deps.devices.add({ name: hostname });
  deps.registry.enrolled({
    deviceId: device.id,
    environmentId: scope.environmentId,
    reportGroup: scope.reportGroup,
    hostname,
    os,
    agentVersion,
    userSessions: [],
    enrolledAt: deps.clock.now(),
    lastSeen: null,
  });
  deps.onEnrolled?.({ deviceId: device.id, hostname, reportGroup: scope.reportGroup, agentVersion });
  deps.logger.info('device enrolled', {
    device: device.id,
    enrolmentToken: scope.id,
    group: scope.reportGroup,
    version: agentVersion,
  });
  return {
    ok: true,
    response: {
      deviceId: device.id,
      agentToken: token,
      environmentId: scope.environmentId,
      reportGroup: scope.reportGroup,
    },
  };
}
