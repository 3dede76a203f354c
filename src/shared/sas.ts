/**
 * The short authentication string: four words that the operator and the user compare aloud, so
 * that a relay (which carries the WebRTC signalling) cannot put itself in the middle of their
 * connection unnoticed. Both pages derive them from the same inputs:
 *
 * - the two DTLS certificate fingerprints of their connection (RTCCertificateStats of the local
 *   and the remote certificate of the connected transport), sorted, so that both sides, which see
 *   them the other way round, get the same words. A relay in the middle holds one connection to
 *   each side, with its own certificates in each: the two sides' pairs differ, and so do the words;
 * - a nonce from each side, exchanged over the connection itself (sas-exchange.ts), the host's
 *   committed to before it learns the operator's. Without them, a relay in the middle could try
 *   certificates of its own until both sides' words matched (44 bits are little against such a
 *   search); with them it has one try per connection, made before it can know the host's words.
 *
 * SHA-256 (WebCrypto, in the pages and in Node alike) of those, the first 44 bits read as four
 * 11-bit indices into the BIP-0039 English list (sas-words.ts). Pure: no Node, no DOM beyond
 * WebCrypto and TextEncoder; the pages, main and the tests import it.
 */
import { z } from 'zod';
import { SAS_WORD_LIST } from './sas-words.js';

export const SAS_WORD_COUNT = 4;
const BITS_PER_WORD = 11;

/** Four words, as main keeps them and the pages show them. */
export const SasWords = z.array(z.string().min(1).max(16)).length(SAS_WORD_COUNT);
export type SasWords = z.infer<typeof SasWords>;

/** A nonce or a commitment to one: 32 bytes, in lower-case hex. */
export const SasHex = z.string().regex(/^[0-9a-f]{64}$/);

/** One DTLS certificate's fingerprint as RTCCertificateStats gives it ("sha-256", "AB:CD:…"). */
export interface CertificateFingerprint {
  algorithm: string;
  value: string;
}

/** The certificates of one connection as one side sees it. */
export interface ConnectionFingerprints {
  local: CertificateFingerprint;
  remote: CertificateFingerprint;
}

const encoder = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** A fresh random nonce for one exchange. */
export function newSasNonce(): string {
  return hex(crypto.getRandomValues(new Uint8Array(32)));
}

/** What the host sends before it learns the operator's nonce: binds it to its own. */
export async function sasCommitment(nonce: string): Promise<string> {
  return hex(await sha256(`flxra-sas-commitment-v1\n${nonce}`));
}

function fingerprintKey(fp: CertificateFingerprint): string {
  return `${fp.algorithm.trim().toLowerCase()} ${fp.value.trim().toUpperCase()}`;
}

/**
 * The connection's identity: its two certificates, in an order both sides agree on. A later
 * connection with the same identity joins the same two pages (each keeps its certificate for as
 * long as it is open), so words confirmed once hold for it too.
 */
export function connectionId(fingerprints: ConnectionFingerprints): string {
  return [fingerprintKey(fingerprints.local), fingerprintKey(fingerprints.remote)].sort().join(' | ');
}

export interface SasInput {
  fingerprints: ConnectionFingerprints;
  hostNonce: string;
  operatorNonce: string;
}

export async function deriveSasWords(input: SasInput): Promise<SasWords> {
  const digest = await sha256(
    ['flxra-sas-v1', connectionId(input.fingerprints), input.hostNonce, input.operatorNonce].join('\n'),
  );
  // The first 48 bits as one number (below 2^53, so exact), then 11 bits a word from the top.
  let bits = 0;
  for (const byte of digest.subarray(0, 6)) bits = bits * 256 + byte;
  const words: string[] = [];
  for (let i = 1; i <= SAS_WORD_COUNT; i++) {
    const index = Math.floor(bits / 2 ** (48 - BITS_PER_WORD * i)) % 2 ** BITS_PER_WORD;
    words.push(SAS_WORD_LIST[index]!);
  }
  return words;
}

/**
 * The fingerprints of a peer connection's DTLS transport, from its getStats() reports: the
 * connected transport's local and remote certificates. Null while there is none, or when
 * transports disagree (then nothing can be said of "the" connection, and nothing is verified).
 */
export function fingerprintsFromStats(reports: Iterable<unknown>): ConnectionFingerprints | null {
  const byId = new Map<string, Record<string, unknown>>();
  const transports: Array<Record<string, unknown>> = [];
  for (const report of reports) {
    if (typeof report !== 'object' || report === null) continue;
    const r = report as Record<string, unknown>;
    if (typeof r.id === 'string') byId.set(r.id, r);
    if (r.type === 'transport' && r.dtlsState === 'connected') transports.push(r);
  }
  const certificate = (id: unknown): CertificateFingerprint | null => {
    const c = typeof id === 'string' ? byId.get(id) : undefined;
    if (c?.type !== 'certificate' || typeof c.fingerprint !== 'string' || typeof c.fingerprintAlgorithm !== 'string')
      return null;
    return { algorithm: c.fingerprintAlgorithm, value: c.fingerprint };
  };
  let found: ConnectionFingerprints | null = null;
  for (const transport of transports) {
    const local = certificate(transport.localCertificateId);
    const remote = certificate(transport.remoteCertificateId);
    if (!local || !remote) return null;
    const these = { local, remote };
    if (found && connectionId(found) !== connectionId(these)) return null;
    found = these;
  }
  return found;
}
