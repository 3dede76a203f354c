/**
 * Before it enrols, the agent waits for the relay to answer at all: a device started with its
 * relay (both at boot, or the README's recipe run in one go) must not spend its one-time
 * enrolment on a relay that is still starting, nor give up. It asks the relay's public keys
 * (any HTTP answer will do), and tries again after the reconnection backoff while the relay
 * cannot be reached, saying so; a certificate it cannot verify stops it, as enrolment would. It
 * goes by the route enrolment will take (the proxy's agent, relay-route.ts).
 */
import type { Agent } from 'node:http';
import {
  certificateProblemMessage,
  describeConnectionFailure,
  readCertificateProblem,
} from '../shared/relay-certificate.js';
import { RELAY_KEYS_PATH } from '../shared/relay-api.js';
import { backoffDelay } from './backoff.js';
import { relayRequest } from '../platform/proxy/relay-request.js';
import { RelayCertificateRefused } from './enrol.js';

export interface RelayWaitDeps {
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** The proxy's agent; absent: direct. */
  agent?: Agent;
}

export async function waitForRelay(relayUrl: string, deps: RelayWaitDeps): Promise<void> {
  const sleep = deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const url = new URL(RELAY_KEYS_PATH, relayUrl);
  for (let attempt = 0; ; attempt++) {
    try {
      await relayRequest(url, { timeoutMs: 10_000, ...(deps.agent ? { agent: deps.agent } : {}) });
      return;
    } catch (err) {
      const certificate = readCertificateProblem(err);
      if (certificate)
        throw new RelayCertificateRefused(
          `cannot enrol with ${url.origin}: ${certificateProblemMessage(certificate)}`,
          {
            cause: err,
          },
        );
      const delay = backoffDelay(attempt);
      deps.log(
        `cannot reach the relay at ${url.origin} to enrol (${describeConnectionFailure(err)}); trying again in ${(delay / 1000).toFixed(1)} s`,
      );
      await sleep(delay);
    }
  }
}
