/**
 * The `.flxra` activation file: a small versioned JSON envelope around a JWS (EdDSA / Ed25519)
 * signed by the relay. Documented in docs/flxra-format.md. The relay signs it; the app accepts
 * it only from a relay it trusts, before its expiry, and the relay accepts its nonce once.
 */
import { z } from 'zod';
import { Name } from './names.js';
import { ActivationToken, AssistanceMode, RequestedMode, SessionId } from './protocol.js';
import { relayUrlProblemMessage, type RelayUrlProblem } from './relay-url.js';

export { AssistanceMode, RequestedMode };

export const ACTIVATION_EXTENSION = '.flxra';
export const ACTIVATION_FORMAT = 'flxra-activation';
export const ACTIVATION_VERSION = 1;
/** The JWS `typ` header, so a token signed for anything else is never taken for an activation. */
export const ACTIVATION_JWS_TYPE = 'flxra-activation+jws';
/** An activation file is a few hundred bytes; anything much larger is not one. */
export const ACTIVATION_MAX_BYTES = 16 * 1024;

export const ActivationEnvelope = z.object({
  format: z.literal(ACTIVATION_FORMAT),
  version: z.number().int().positive(),
  token: ActivationToken,
});
export type ActivationEnvelope = z.infer<typeof ActivationEnvelope>;

/** The signed claims. Times are seconds since the epoch, as in JWT. */
export const ActivationClaims = z.object({
  v: z.literal(ACTIVATION_VERSION),
  /** The relay to connect to (its socket.io / API origin). */
  relay: z.url(),
  sid: SessionId,
  /** The mode the assistance runs in (dynamic requests are resolved by the relay). */
  mode: AssistanceMode,
  /** What the operator asked for. */
  requested: RequestedMode,
  /** Environment (tenant) ID: a name under names.ts's rule, like every name the relay keeps. */
  env: Name,
  /** The issuing relay's name. */
  iss: Name,
  /** The operator it was issued to: only they may open it. */
  sub: z.string().min(1).max(64),
  iat: z.number().int(),
  /** Not after. */
  exp: z.number().int(),
  /** Single use: the relay consumes it at the first successful connection. */
  nonce: z.string().min(16).max(128),
  /**
   * The device it was issued for (its id and name, as the relay knows them): the app names it
   * before anything connects and asks the relay again for the same device ("Ask again").
   * Optional: files from older relays have none.
   */
  device: z.object({ id: z.string().min(1).max(64), name: z.string().min(1).max(128) }).optional(),
});
export type ActivationClaims = z.infer<typeof ActivationClaims>;

/** Why an activation file is refused; each has its own message for the operator. */
export type ActivationProblem =
  | { kind: 'corrupt'; detail: string }
  | { kind: 'unsupported-version'; version: number }
  | { kind: 'tampered' }
  | { kind: 'expired'; expiredAt: number }
  | { kind: 'untrusted-relay'; relay: string; keyId: string }
  | { kind: 'revoked-key'; relay: string; keyId: string }
  /** The relay it names is one flxra does not connect to (plain http to another computer). */
  | { kind: 'insecure-relay'; problem: RelayUrlProblem }
  | { kind: 'used' }
  /** The file named on disk is gone (opened once already, or moved). */
  | { kind: 'missing'; fileName: string };

export function activationProblemMessage(p: ActivationProblem): string {
  switch (p.kind) {
    case 'corrupt':
      return `This is not a flxra activation file, or it is damaged (${p.detail}). Download it again.`;
    case 'unsupported-version':
      return `This activation file was made for a newer flxra (format version ${p.version}). Update flxra and open it again.`;
    case 'tampered':
      return 'This activation file has been altered: its signature does not match. Do not use it; request a new assistance.';
    case 'expired':
      return `This activation file expired on ${new Date(p.expiredAt * 1000).toISOString().replace('T', ' ').slice(0, 16)} UTC. Request a new assistance.`;
    case 'untrusted-relay':
      return `This activation file comes from a relay you have not trusted yet (${p.relay}). Check its key fingerprint before trusting it.`;
    case 'revoked-key':
      return `This activation file was signed with a key its relay (${p.relay}) has revoked. Do not use it; request a new assistance.`;
    case 'insecure-relay':
      return `This activation file names a relay flxra does not connect to. ${relayUrlProblemMessage(p.problem)}`;
    case 'used':
      return 'This activation file has already been used. Activation files work once; request a new assistance.';
    case 'missing':
      return `The file ${p.fileName} no longer exists. flxra deletes an activation file once its session ends; request a new assistance if you need one.`;
  }
}

/** Parses the envelope of a file's text (not the signature: see the verifier). */
export function parseActivationEnvelope(
  text: string,
): { ok: true; token: string } | { ok: false; problem: ActivationProblem } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: { kind: 'corrupt', detail: 'not JSON' } };
  }
  const parsed = ActivationEnvelope.safeParse(json);
  if (!parsed.success) return { ok: false, problem: { kind: 'corrupt', detail: 'not a flxra-activation envelope' } };
  if (parsed.data.version > ACTIVATION_VERSION) {
    return { ok: false, problem: { kind: 'unsupported-version', version: parsed.data.version } };
  }
  return { ok: true, token: parsed.data.token };
}

export function activationFileContent(token: string): string {
  return `${JSON.stringify({ format: ACTIVATION_FORMAT, version: ACTIVATION_VERSION, token } satisfies ActivationEnvelope, null, 2)}\n`;
}

/**
 * A relay signing key's fingerprint for people to compare: the RFC 7638 JWK thumbprint
 * (base64url SHA-256), shown as hex in groups of four.
 */
export function formatFingerprint(thumbprint: string): string {
  const bytes = atob(thumbprint.replace(/-/g, '+').replace(/_/g, '/'));
  const hex = [...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  return hex
    .toUpperCase()
    .match(/.{1,4}/g)!
    .join(' ');
}
