/**
 * Enrolment tokens: what an administrator hands out (in a deployment script, an installer's
 * settings) so that agents enrol into one environment and report group. A token allows one
 * enrolment unless its maker asked for more (`uses`: a roll-out of a whole group), and none once
 * it is used up, expired or revoked. The relay keeps only its MAC under the token pepper
 * (credentials/token-mac.ts); tokens made before the pepper are still found by their SHA-256,
 * once, and then kept by their MAC.
 */
import { randomBytes } from 'node:crypto';
import { MAX_ENROLMENT_USES } from '../../shared/agent-protocol.js';
import type { ListedEnrolmentToken } from '../../shared/console-enrolment.js';
import { parseName } from '../../shared/names.js';
import type { Clock } from '../clock.js';
import type { TokenMac } from '../credentials/token-mac.js';
import type { AgentStore } from './agent-store.js';

export const DEFAULT_ENROLMENT_LIFETIME_MS = 7 * 24 * 60 * 60_000;
export { MAX_ENROLMENT_USES };

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
  /** How many enrolments it allows. */
  uses: number;
}

/** Why a token enrols no device, as the agent is told. */
export type EnrolmentRefusal =
  /** Malformed, unknown, expired and revoked alike: nothing to probe with. */
  | { reason: 'invalid'; message: string }
  /** Only the holder of a real token learns this: it was good, and its enrolments are spent. */
  | { reason: 'used-up'; message: string };

export type EnrolmentUse = ({ ok: true } & EnrolmentScope & { id: string }) | ({ ok: false } & EnrolmentRefusal);

const INVALID: EnrolmentRefusal = { reason: 'invalid', message: 'invalid, expired or revoked enrolment token' };

export class EnrolmentTokens {
  constructor(
    private readonly store: AgentStore,
    private readonly mac: TokenMac,
    private readonly clock: Clock,
  ) {}

  /** `uses`: how many devices may enrol with it (default 1). */
  create(scope: EnrolmentScope & { lifetimeMs?: number; uses?: number }): IssuedEnrolmentToken {
    const environment = parseName(scope.environmentId);
    const group = parseName(scope.reportGroup);
    if (!environment.ok) throw new Error(`invalid environment for an enrolment token: ${environment.message}`);
    if (!group.ok) throw new Error(`invalid report group for an enrolment token: ${group.message}`);
    const [environmentId, reportGroup] = [environment.name, group.name];
    const uses = scope.uses ?? 1;
    if (!Number.isInteger(uses) || uses < 1 || uses > MAX_ENROLMENT_USES)
      throw new Error(`an enrolment token allows 1 to ${MAX_ENROLMENT_USES} enrolments, not ${uses}`);
    const now = this.clock.now();
    const id = randomBytes(6).toString('hex');
    const token = `flxra_enrol_${randomBytes(32).toString('base64url')}`;
    const expiresAt = now + (scope.lifetimeMs ?? DEFAULT_ENROLMENT_LIFETIME_MS);
    this.store.insertEnrolmentToken({
      id,
      tokenHash: this.mac.of(token),
      environmentId,
      reportGroup,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      maxUses: uses,
      uses: 0,
    });
    return { id, token, environmentId, reportGroup, expiresAt: new Date(expiresAt).toISOString(), uses };
  }

  /** Every token, newest first, with what is left of it (never the token itself: the relay has only its MAC). */
  list(): ListedEnrolmentToken[] {
    const now = this.clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    return this.store.listEnrolmentTokens().map((r) => ({
      id: r.id,
      environmentId: r.environmentId,
      reportGroup: r.reportGroup,
      createdAt: iso(r.createdAt),
      expiresAt: iso(r.expiresAt),
      revokedAt: r.revokedAt === null ? null : iso(r.revokedAt),
      uses: r.uses,
      maxUses: r.maxUses,
      state:
        r.revokedAt !== null
          ? 'revoked'
          : r.expiresAt <= now
            ? 'expired'
            : r.maxUses !== null && r.uses >= r.maxUses
              ? 'used-up'
              : 'usable',
    }));
  }

  /** Devices already enrolled with it stay enrolled. */
  revoke(id: string): boolean {
    return this.store.revokeEnrolmentToken(id, this.clock.now());
  }

  /** Takes one of the token's enrolments: the scope it enrols into, or why not. */
  use(token: string): EnrolmentUse {
    if (!TOKEN.test(token)) return { ok: false, ...INVALID };
    const found = this.mac.findKeyed(
      token,
      (key) => this.store.getEnrolmentToken(key),
      (from, to) => this.store.rekeyEnrolmentToken(from, to),
    );
    const now = this.clock.now();
    const record = found?.record;
    if (!record || record.revokedAt !== null || record.expiresAt <= now) return { ok: false, ...INVALID };
    if (record.maxUses !== null && record.uses >= record.maxUses) {
      const allowed = `${record.maxUses} ${record.maxUses === 1 ? 'enrolment' : 'enrolments'}`;
      return {
        ok: false,
        reason: 'used-up',
        message: `this enrolment token is used up (it allowed ${allowed}): ask your administrator for a new one`,
      };
    }
    // Counted in one statement with its checks: two enrolments racing for the last use cannot both have it.
    if (!this.store.useEnrolmentToken(record.id, now)) return { ok: false, ...INVALID };
    return { ok: true, id: record.id, environmentId: record.environmentId, reportGroup: record.reportGroup };
  }
}
