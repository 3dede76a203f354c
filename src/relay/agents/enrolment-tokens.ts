/**
 * Enrolment tokens: what an administrator hands out (in a deployment script, an installer's
 * settings) so that agents enrol into one environment and report group. A token is reusable by
 * any number of devices until it expires or is revoked, so one token can roll out a whole group;
 * the relay keeps only its SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { AgentStore } from './agent-store.js';

export const DEFAULT_ENROLMENT_LIFETIME_MS = 7 * 24 * 60 * 60_000;

const TOKEN = /^flxra_enrol_[A-Za-z0-9_-]{43}$/;

export interface EnrolmentScope {
  environmentId: string;
  reportGroup: string;
}

export interface IssuedEnrolmentToken extends EnrolmentScope {
  id: string;
  /** The only time the token exists outside the agents it is given to. */
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

function sha256(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export class EnrolmentTokens {
  constructor(
    private readonly store: AgentStore,
    private readonly clock: Clock,
  ) {}

  create(scope: EnrolmentScope & { lifetimeMs?: number }): IssuedEnrolmentToken {
    const environmentId = scope.environmentId.trim();
    const reportGroup = scope.reportGroup.trim();
    if (!environmentId || !reportGroup) throw new Error('an enrolment token needs an environment and a report group');
    const now = this.clock.now();
    const id = randomBytes(6).toString('hex');
    const token = `flxra_enrol_${randomBytes(32).toString('base64url')}`;
    const expiresAt = now + (scope.lifetimeMs ?? DEFAULT_ENROLMENT_LIFETIME_MS);
    this.store.insertEnrolmentToken({
      id,
      tokenHash: sha256(token),
      environmentId,
      reportGroup,
      createdAt: now,
      expiresAt,
      revokedAt: null,
    });
    return { id, token, environmentId, reportGroup, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Devices already enrolled with it stay enrolled. */
  revoke(id: string): boolean {
    return this.store.revokeEnrolmentToken(id, this.clock.now());
  }

  /** The scope a valid token enrols into; null for malformed, unknown, expired and revoked alike. */
  check(token: string): (EnrolmentScope & { id: string }) | null {
    if (!TOKEN.test(token)) return null;
    const record = this.store.getEnrolmentToken(sha256(token));
    if (!record || record.revokedAt !== null || record.expiresAt <= this.clock.now()) return null;
    return { id: record.id, environmentId: record.environmentId, reportGroup: record.reportGroup };
  }
}
