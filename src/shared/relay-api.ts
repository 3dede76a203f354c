/**
 * The relay's HTTP API (JSON), used by operators' apps and, later, the console. Operators
 * authenticate with `Authorization: Bearer <operator token>`.
 */
import { z } from 'zod';
import { AssistanceMode, RequestedMode, SessionId } from './protocol.js';

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

/** GET /.well-known/flxra-keys: the relay's public signing keys. */
export const RelayKeys = z.object({
  relay: z.string(),
  keys: z.array(
    z.object({
      kid: z.string(),
      /** Public Ed25519 key as a JWK (kty OKP, crv Ed25519, x). */
      jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }),
      /** formatFingerprint of the JWK thumbprint. */
      fingerprint: z.string(),
    }),
  ),
});
export type RelayKeys = z.infer<typeof RelayKeys>;

/** Errors come back as { error: { code, message } } with a 4xx status. */
export const ApiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
