/**
 * One credential for operators: the console signs the operator's app in. A signed-in console
 * user asks for a one-time code ("Connect the app"); the console opens a `flxra:` link carrying
 * only that code and the relay's origin; the app redeems it here (POST APP_SIGN_IN_PATH) for
 * the operator token of the user's operator identity, a fresh one that replaces the identity's
 * earlier app token. A code lives one minute, works once, is kept only as its SHA-256 (in
 * memory: a relay restart voids every code), and redemptions are limited per address; each code
 * made and each redemption, right or wrong, is audited. Nothing here logs a code or a token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleUser } from '../../shared/console-api.js';
import type { OperatorIdentity } from '../../shared/protocol.js';
import { APP_SIGN_IN_PATH, AppSignInRedeem, type AppSignInToken } from '../../shared/relay-api.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { ZodApp } from '../http/app.js';
import { ApiFailure, refuseOtherMethods, requireJsonBody, sendJson, type JsonRouteConfig } from '../http/json.js';
import type { OperatorRegistry } from '../operators.js';
import type { ConsoleUsers } from './users.js';

export const APP_SIGN_IN_CODE_MS = 60_000;
/** Wrong or used codes an address may present per window before it must wait. */
export const REDEEM_FAILURES_PER_WINDOW = 10;
const REDEEM_WINDOW_MS = 60_000;
/** Codes alive at once, over all users: more are refused until some expire. */
const MAX_LIVE_CODES = 10_000;

interface PendingCode {
  username: string;
  expiresAt: number;
}

export type RedeemResult =
  | { ok: true; answer: AppSignInToken }
  | { ok: false; status: 400 | 429; code: string; message: string; retryAfterS?: number };

const digest = (code: string) => createHash('sha256').update(code).digest('base64url');

export class AppSignInCodes {
  private readonly pending = new Map<string, PendingCode>();
  private readonly failures = new Map<string, { count: number; windowEnds: number }>();

  constructor(
    private readonly deps: { clock: Clock; users: ConsoleUsers; operators: OperatorRegistry; audit: AuditTrail },
  ) {}

  /** A new code for the user; their earlier one, if still unused, dies. */
  issue(user: ConsoleUser): { code: string; expiresAt: number } {
    const now = this.deps.clock.now();
    this.sweep(now);
    for (const [hash, p] of this.pending) if (p.username === user.username) this.pending.delete(hash);
    if (this.pending.size >= MAX_LIVE_CODES)
      throw new ApiFailure(503, 'busy', 'too many sign-in codes; try again in a minute');
    const code = randomBytes(18).toString('base64url');
    const expiresAt = now + APP_SIGN_IN_CODE_MS;
    this.pending.set(digest(code), { username: user.username, expiresAt });
    this.deps.audit.record({
      actor: { kind: user.role, id: user.username, name: user.name },
      action: 'app.sign-in-code',
      result: 'ok',
      detail: { expiresIn: `${APP_SIGN_IN_CODE_MS / 1000} s` },
    });
    return { code, expiresAt };
  }

  redeem(code: string, address: string): RedeemResult {
    const now = this.deps.clock.now();
    this.sweep(now);
    const failed = this.failures.get(address);
    if (failed && failed.windowEnds > now && failed.count >= REDEEM_FAILURES_PER_WINDOW) {
      return {
        ok: false,
        status: 429,
        code: 'retry-later',
        message: 'too many wrong sign-in codes from this address; try again in a minute',
        retryAfterS: Math.ceil((failed.windowEnds - now) / 1000),
      };
    }
    const hash = digest(code);
    const found = this.pending.get(hash);
    // Single use: gone from here on, whatever follows.
    this.pending.delete(hash);
    const user = found && found.expiresAt > now ? this.deps.users.get(found.username) : null;
    const operator: OperatorIdentity | null = user ? this.deps.users.operatorOf(user) : null;
    const issued = user && operator ? this.deps.operators.issueAppToken(operator.id) : null;
    if (!user || !issued) {
      this.countFailure(address, now);
      this.deps.audit.record({
        actor: { kind: 'relay', id: 'relay', name: 'relay' },
        action: 'app.signed-in',
        result: 'denied',
        detail: {
          address,
          reason: found ? 'expired, or the user or their operator identity is gone' : 'unknown or used code',
        },
      });
      return {
        ok: false,
        status: 400,
        code: 'invalid-code',
        message: 'this sign-in code is wrong, used or older than a minute; use "Connect the app" in the console again',
      };
    }
    this.deps.audit.record({
      actor: { kind: user.role, id: user.username, name: user.name },
      action: 'app.signed-in',
      result: 'ok',
      detail: { address, operator: issued.identity.id, appToken: 'replaced' },
    });
    return { ok: true, answer: { token: issued.token, operator: issued.identity } };
  }

  private countFailure(address: string, now: number): void {
    const current = this.failures.get(address);
    if (!current || current.windowEnds <= now)
      this.failures.set(address, { count: 1, windowEnds: now + REDEEM_WINDOW_MS });
    else current.count += 1;
  }

  private sweep(now: number): void {
    for (const [hash, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(hash);
    for (const [address, f] of this.failures) if (f.windowEnds <= now) this.failures.delete(address);
  }
}

/** POST APP_SIGN_IN_PATH: public (the code is the credential), JSON, size-limited and validated. */
export function registerAppSignIn(app: ZodApp, codes: AppSignInCodes): void {
  app.post(
    APP_SIGN_IN_PATH,
    {
      schema: { body: AppSignInRedeem },
      config: { what: 'sign-in code' } satisfies JsonRouteConfig,
      preValidation: requireJsonBody,
    },
    async (request, reply) => {
      const result = codes.redeem(request.body.code, request.ip);
      if (!result.ok)
        throw new ApiFailure(
          result.status,
          result.code,
          result.message,
          result.retryAfterS === undefined ? undefined : { 'retry-after': String(result.retryAfterS) },
        );
      return sendJson(reply, 200, result.answer);
    },
  );
  refuseOtherMethods(app, APP_SIGN_IN_PATH, ['POST']);
}
