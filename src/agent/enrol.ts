/**
 * Enrolment: the agent trades an enrolment token (made by the relay's administrator for an
 * environment and report group) for its own device id and agent token, once, over HTTPS, by the
 * route the proxy resolution chose (src/platform/proxy/relay-request.ts).
 */
import type { Agent } from 'node:http';
import { ApiError } from '../shared/relay-api.js';
import {
  certificateProblemMessage,
  describeConnectionFailure,
  readCertificateProblem,
} from '../shared/relay-certificate.js';
import { ENROL_PATH, EnrolResponse, type EnrolRequest } from '../shared/agent-protocol.js';
import { relayRequest, type RelayHttpAnswer } from '../platform/proxy/relay-request.js';

/** The relay answered, and said no: retrying with the same token will not help. */
export class EnrolmentRefused extends Error {}

/** The relay's certificate was refused (untrusted, expired, another name): someone must act, retrying will not help. */
export class RelayCertificateRefused extends Error {}

export async function enrol(relayUrl: string, request: EnrolRequest, agent?: Agent): Promise<EnrolResponse> {
  const url = new URL(ENROL_PATH, relayUrl);
  let res: RelayHttpAnswer;
  try {
    res = await relayRequest(url, { method: 'POST', body: request, ...(agent ? { agent } : {}) });
  } catch (err) {
    const certificate = readCertificateProblem(err);
    if (certificate)
      throw new RelayCertificateRefused(`cannot enrol with ${url.origin}: ${certificateProblemMessage(certificate)}`, {
        cause: err,
      });
    throw new Error(`cannot reach the relay at ${url.origin}: ${describeConnectionFailure(err)}`, { cause: err });
  }
  const body = res.json;
  if (res.status < 200 || res.status >= 300) {
    const error = ApiError.safeParse(body);
    throw new EnrolmentRefused(
      `the relay refused the enrolment (${res.status}): ${error.success ? error.data.error.message : 'no reason given'}`,
    );
  }
  const parsed = EnrolResponse.safeParse(body);
  if (!parsed.success)
    throw new Error(`the relay's enrolment answer is not one this agent understands (HTTP ${res.status})`);
  return parsed.data;
}
