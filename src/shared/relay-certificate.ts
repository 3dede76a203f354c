/**
 * What went wrong with a relay's TLS certificate, read from the error a connection failed with
 * (Node's fetch, socket.io-client's websocket), for the app's and the agent's messages. A
 * certificate this computer does not trust is never accepted anyway: flxra has no switch for
 * that; the way out is a certificate from an authority the computer trusts, or trusting the
 * organisation's own authority on it (docs/deployment.md).
 */

export type CertificateProblem =
  /** `detail`: what OpenSSL said, e.g. "self-signed certificate". */
  | { kind: 'untrusted'; detail: string }
  | { kind: 'expired' }
  | { kind: 'not-yet-valid' }
  | { kind: 'wrong-name'; detail: string }
  /** https:// to something that does not speak TLS (a relay serving plain http on that port). */
  | { kind: 'not-tls' }
  | { kind: 'invalid'; code: string; detail: string };

/** OpenSSL's verification codes (as Node names them) that mean "issued by nobody this computer trusts". */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);
const OTHER_CERTIFICATE_CODES = new Set([
  'CERT_REVOKED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'HOSTNAME_MISMATCH',
]);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  /** socket.io-client's TransportError: the websocket's ErrorEvent, whose `error` is Node's. */
  description?: unknown;
  error?: unknown;
}

/** The errors a failure carries, outermost first: fetch's `cause`, socket.io's `description.error`. */
function chain(err: unknown): ErrorLike[] {
  const found: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && found.length < 8) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null || found.includes(next)) continue;
    const e = next as ErrorLike;
    found.push(e);
    queue.push(e.cause, e.description, e.error);
  }
  return found;
}

export function readCertificateProblem(err: unknown): CertificateProblem | null {
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const detail = typeof e.message === 'string' ? e.message : code;
    if (UNTRUSTED.has(code)) return { kind: 'untrusted', detail };
    if (code === 'CERT_HAS_EXPIRED') return { kind: 'expired' };
    if (code === 'CERT_NOT_YET_VALID') return { kind: 'not-yet-valid' };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { kind: 'wrong-name', detail };
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && /wrong version number/.test(detail)))
      return { kind: 'not-tls' };
    if (OTHER_CERTIFICATE_CODES.has(code)) return { kind: 'invalid', code, detail };
  }
  return null;
}

export function certificateProblemMessage(p: CertificateProblem): string {
  switch (p.kind) {
    case 'untrusted':
      return `the relay's certificate is not trusted by this computer (${p.detail}). Its administrator needs a certificate from an authority this computer trusts, or this computer must trust their own authority.`;
    case 'expired':
      return "the relay's certificate has expired. Its administrator must renew it.";
    case 'not-yet-valid':
      return "the relay's certificate is not valid yet: check this computer's date and time.";
    case 'wrong-name':
      return `the relay's certificate is made out for another name (${p.detail}). Use the address its certificate names.`;
    case 'not-tls':
      return 'nothing speaks TLS at this address: the relay there serves plain http, or this is not the relay.';
    case 'invalid':
      return `the relay's certificate cannot be accepted (${p.code}: ${p.detail}).`;
  }
}

/** Why a connection to the relay failed, for people: the certificate's problem, else the error's own message. */
export function describeConnectionFailure(err: unknown): string {
  const problem = readCertificateProblem(err);
  if (problem) return certificateProblemMessage(problem);
  for (const e of chain(err).reverse()) if (typeof e.message === 'string' && e.message) return e.message;
  return String(err);
}
