/**
 * The relay's HTTP API (JSON), used by operators' apps and, later, the console. Operators
 * authenticate with `Authorization: Bearer <operator token>`.
 */
import { z } from 'zod';
import { AssistanceMode, OperatorIdentity, RequestedMode, SessionId } from './protocol.js';

export const API_PREFIX = '/api/v1';
export const RELAY_KEYS_PATH = '/.well-known/flxra-keys';

/** POST /api/v1/assistances */
export const AssistanceRequest = z.object({
  deviceId: z.string().min(1).max(64),
  mode: RequestedMode,
  /** Session level: the user session on the device to assist (dynamic and attended). */
  userSessionId: z.string().min(1).max(64).optional(),
});
export type AssistanceRequest = z.infer<typeof AssistanceRequest>;

export const AssistanceResponse = z.object({
  sessionId: SessionId,
  mode: AssistanceMode,
  /** Why this mode (dynamic requests say which way they went and why). */
  modeReason: z.string(),
  /** Unattended only: shown once to the operator who asked, never stored in clear. */
  password: z.string().optional(),
  activation: z.object({ fileName: z.string(), content: z.string() }),
  /** When the file stops being accepted (ISO 8601). */
  expiresAt: z.string(),
});
export type AssistanceResponse = z.infer<typeof AssistanceResponse>;

const PublicJwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().max(64) });

/** The JWS `typ` of the signed key set, so that no other document a relay key signs passes for one. */
export const KEY_SET_JWS_TYPE = 'flxra-keyset+jws';

/**
 * The key set a relay announces, signed (JWS JSON, one signature per key) by its active key and
 * by every retired key still vouching: an app that trusts any of them learns the others from it.
 */
export const KeySetClaims = z.object({
  v: z.literal(1),
  /** The relay's origin. */
  relay: z.string().max(512),
  iat: z.number().int(),
  /** The keys to trust for this relay: the active one and the retired ones still vouching. */
  keys: z
    .array(
      z.object({
        kid: z.string().max(128),
        jwk: PublicJwk,
        status: z.enum(['active', 'retired']),
        /** Retired keys: the files they signed are accepted until then (seconds). */
        verifiesUntil: z.number().int().optional(),
      }),
    )
    .min(1)
    .max(32),
  /** Keys revoked: files they signed are refused, and they vouch for nothing. */
  revoked: z.array(z.string().max(128)).max(256),
});
export type KeySetClaims = z.infer<typeof KeySetClaims>;

/** A JWS in the general JSON serialisation (RFC 7515 §7.2.1), protected headers only. */
export const GeneralJws = z.object({
  payload: z.string().max(64 * 1024),
  signatures: z
    .array(z.object({ protected: z.string().max(1024), signature: z.string().max(256) }))
    .min(1)
    .max(32),
});
export type GeneralJws = z.infer<typeof GeneralJws>;

/** GET /.well-known/flxra-keys: the relay's public signing keys. */
export const RelayKeys = z.object({
  relay: z.string(),
  /** The keys that verify activation files now: the active one, and retired ones whose files may still be valid. */
  keys: z.array(
    z.object({
      kid: z.string(),
      /** Public Ed25519 key as a JWK (kty OKP, crv Ed25519, x). */
      jwk: PublicJwk,
      /** formatFingerprint of the JWK thumbprint. */
      fingerprint: z.string(),
      status: z.enum(['active', 'retired']).optional(),
    }),
  ),
  /** Keys revoked (for people; apps believe only keySet). */
  revoked: z.array(z.object({ kid: z.string(), revokedAt: z.string() })).optional(),
  /** The signed key set (KeySetClaims), what apps adopt once a key they trust has signed it. */
  keySet: GeneralJws.optional(),
});
export type RelayKeys = z.infer<typeof RelayKeys>;

/**
 * One invalid field of a refused body: where (its path in the body: ['product', 'minAgentVersion',
 * 'dynamic']) and why, in words, so that a form shows it next to that field.
 */
export const FieldIssue = z.object({ path: z.array(z.string()), message: z.string() });
export type FieldIssue = z.infer<typeof FieldIssue>;

/**
 * Errors come back as { error: { code, message } } with a 4xx status; a body refused by its
 * schema also lists its invalid fields.
 */
export const ApiError = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.array(FieldIssue).optional() }),
});

/**
 * POST /api/v1/app-sign-in: the operator's app redeems the one-time code the console gave it
 * (in a `flxra:` sign-in link, src/shared/app-sign-in-link.ts) for the operator token of the
 * console user's operator identity. No other credential: the code is it, once, for a minute.
 */
export const APP_SIGN_IN_PATH = `${API_PREFIX}/app-sign-in`;
export const AppSignInRedeem = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'not a sign-in code') });
export const AppSignInToken = z.object({
  token: z.string().min(1).max(512),
  operator: OperatorIdentity,
});
export type AppSignInToken = z.infer<typeof AppSignInToken>;
