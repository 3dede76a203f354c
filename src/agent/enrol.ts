/**
 * Enrolment: the agent trades an enrolment token (made by the relay's administrator for an
 * environment and report group) for its own device id and agent token, once, over HTTPS.
 */
import { ApiError } from '../shared/relay-api.js';
import {
  certificateProblemMessage,
  describeConnectionFailure,
  readCertificateProblem,
} from '../shared/relay-certificate.js';
import { ENROL_PATH, EnrolResponse, type EnrolRequest } from '../shared/agent-protocol.js';

/** The relay answered, and said no: retrying with the same token will not help. */
export class EnrolmentRefused extends Error {}

/** The relay's certificate was refused (untrusted, expired, another name): someone must act, retrying will not help. */
export class RelayCertificateRefused extends Error {}

export async function enrol(relayUrl: string, request: EnrolRequest): Promise<EnrolResponse> {
  const url = new URL(ENROL_PATH, relayUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (err) {
    const certificate = readCertificateProblem(err);
    if (certificate)
      throw new RelayCertificateRefused(`cannot enrol with ${url.origin}: ${certificateProblemMessage(certificate)}`, {
        cause: err,
      });
    throw new Error(`cannot reach the relay at ${url.origin}: ${describeConnectionFailure(err)}`, { cause: err });
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
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
