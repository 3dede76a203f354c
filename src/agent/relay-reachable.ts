/**
 * Before it enrols, the agent waits for the relay to answer at all: a device started with its
 * relay (both at boot, or the README's recipe run in one go) must not spend its one-time
 * enrolment on a relay that is still starting, nor give up. It asks the relay's public keys
 * (any HTTP answer will do), and tries again after the reconnection backoff while the relay
 * cannot be reached, saying so; a certificate it cannot verify stops it, as enrolment would.
 */
import {
  certificateProblemMessage,
  describeConnectionFailure,
  readCertificateProblem,
} from '../shared/relay-certificate.js';
import { RELAY_KEYS_PATH } from '../shared/relay-api.js';
import { backoffDelay } from './backoff.js';
import { RelayCertificateRefused } from './enrol.js';

export interface RelayWaitDeps {
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export async function waitForRelay(relayUrl: string, deps: RelayWaitDeps): Promise<void> {
  const sleep = deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const url = new URL(RELAY_KEYS_PATH, relayUrl);
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel();
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
