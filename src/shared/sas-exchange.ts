/**
 * The verification words' exchange, run by both pages over each connection's data channel once it
 * is open (one exchange per connection; see sas.ts for why the nonces are there):
 *
 *   host                                   operator
 *   sas-commit  SHA-256(host nonce)  ────▶
 *                                    ◀────  sas-nonce   operator nonce
 *   sas-reveal  host nonce           ────▶  (checks it against the commitment)
 *   words(fingerprints, nonces)             words(fingerprints, nonces)
 *
 * The host commits before it learns the operator's nonce and reveals only after: whoever sits in
 * the middle must send the host its "operator nonce" before it can know what words the host will
 * show. Anything out of this order ends the exchange without words: nothing is verified then.
 */
import type { ChannelMessage, SasMessage } from './input-events.js';
import {
  connectionId,
  deriveSasWords,
  newSasNonce,
  sasCommitment,
  type ConnectionFingerprints,
  type SasWords,
} from './sas.js';

/** Either the words and the connection they belong to, or why there are none. */
export type SasOutcome = { ok: true; words: SasWords; connection: string } | { ok: false; problem: string };

export interface SasExchangeOptions {
  send(message: SasMessage): void;
  /** The connection's DTLS certificates as this side sees them (from getStats), null if unreadable. */
  fingerprints(): Promise<ConnectionFingerprints | null>;
  /** Called once, with the words or the problem. */
  done(outcome: SasOutcome): void;
}

export function isSasMessage(m: ChannelMessage): m is SasMessage {
  return m.kind === 'sas-commit' || m.kind === 'sas-nonce' || m.kind === 'sas-reveal';
}

export interface SasExchange {
  /** The connection is open: the host commits to its nonce; the operator waits for that. */
  start(): void;
  receive(message: SasMessage): void;
}

export function createSasExchange(role: 'host' | 'operator', opts: SasExchangeOptions): SasExchange {
  const own = newSasNonce();
  let finished = false;
  /** Host: the commitment was sent. Operator: the host's commitment, once received. */
  let committed: string | null = null;

  const finish = (outcome: SasOutcome) => {
    if (finished) return;
    finished = true;
    opts.done(outcome);
  };
  const fail = (problem: string) => finish({ ok: false, problem });
  const derive = async (hostNonce: string, operatorNonce: string) => {
    const fingerprints = await opts.fingerprints();
    if (!fingerprints) return fail("The connection's certificates cannot be read.");
    const words = await deriveSasWords({ fingerprints, hostNonce, operatorNonce });
    finish({ ok: true, words, connection: connectionId(fingerprints) });
  };
  const unexpected = (m: SasMessage) => fail(`The other side sent ${m.kind} out of turn.`);
  const settled = (work: Promise<void>) =>
    void work.catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));

  if (role === 'host') {
    let started = false;
    return {
      start: () => {
        if (started) return;
        started = true;
        settled(
          sasCommitment(own).then((commitment) => {
            committed = commitment;
            opts.send({ kind: 'sas-commit', commitment });
          }),
        );
      },
      receive: (m) => {
        if (finished) return;
        if (m.kind !== 'sas-nonce' || !committed) return unexpected(m);
        committed = null; // one reveal per exchange
        opts.send({ kind: 'sas-reveal', nonce: own });
        settled(derive(own, m.nonce));
      },
    };
  }
  let answered = false;
  return {
    start: () => undefined,
    receive: (m) => {
      if (finished) return;
      if (m.kind === 'sas-commit' && !committed) {
        committed = m.commitment;
        answered = true;
        return opts.send({ kind: 'sas-nonce', nonce: own });
      }
      if (m.kind !== 'sas-reveal' || !answered || !committed) return unexpected(m);
      const commitment = committed;
      committed = null;
      settled(
        sasCommitment(m.nonce).then((expected) =>
          expected === commitment
            ? derive(m.nonce, own)
            : fail("The device's verification did not match what it committed to: do not trust this connection."),
        ),
      );
    },
  };
}
