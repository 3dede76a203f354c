/**
 * Console users' TOTP second factors (RFC 6238 through the `otpauth` library: SHA-1, 6 digits,
 * 30 s, what every authenticator app reads from an otpauth:// URI). Setting one up makes a secret
 * that stays pending until the user sends a code their app shows for it; only then is it on. A
 * code is accepted one step either side of the relay's clock, and once: the store keeps the last
 * step spent and accepts only later ones, so a code seen over a shoulder or in a proxy's log
 * cannot sign in again. Secrets are sealed (secret-box.ts), never stored or logged in plain.
 * The administrators' "require a second factor" setting lives here too.
 */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Clock } from '../clock.js';
import type { RelayStore } from '../store/store.js';
import type { SecretBox } from './secret-box.js';

const PERIOD_S = 30;
const DIGITS = 6;
/** Steps either side of now: a phone's clock a little off, a code typed as it changed. */
const WINDOW = 1;
/** 160 bits, RFC 4226's recommendation (and SHA-1's block-friendly size). */
const SECRET_BYTES = 20;

export type CodeCheck = 'ok' | 'invalid' | 'replayed';

export type ConfirmResult = { ok: true } | { ok: false; code: 'no-setup' | 'invalid-code'; message: string };

export class SecondFactors {
  constructor(
    private readonly store: RelayStore,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    /** Shown by the authenticator app above the account, e.g. "flxra (relay.example.org)". */
    private readonly issuer: string,
  ) {}

  enabled(username: string): boolean {
    return this.store.getSecondFactor(username)?.secret != null;
  }

  /** Usernames whose second factor is on (for the users list). */
  enabledUsers(): Set<string> {
    return new Set(this.store.secondFactorUsers());
  }

  required(): boolean {
    return this.store.getConsoleSettings()?.requireSecondFactor ?? false;
  }

  setRequired(required: boolean): void {
    this.store.putConsoleSettings({ requireSecondFactor: required });
  }

  /** The administrators require one and the user has none: only its setup is open to them. */
  setupNeeded(username: string): boolean {
    return this.required() && !this.enabled(username);
  }

  /** A new pending secret for the user (replacing an earlier pending one); null while one is on. */
  begin(username: string): { secret: string; uri: string } | null {
    if (this.enabled(username)) return null;
    const secret = new Secret({ buffer: randomBytes(SECRET_BYTES).buffer });
    this.store.setPendingSecondFactor(username, this.box.seal(Buffer.from(secret.bytes), context(username)));
    return { secret: secret.base32, uri: this.totp(username, secret).toString() };
  }

  /** Turns the pending secret on with a code the app shows for it. */
  confirm(username: string, code: string): ConfirmResult {
    const record = this.store.getSecondFactor(username);
    if (!record?.pending) {
      return { ok: false, code: 'no-setup', message: 'start setting up a second factor first' };
    }
    const step = this.stepOf(username, record.pending, code);
    if (step === null || !this.store.enableSecondFactor(username, record.pending, step)) {
      return {
        ok: false,
        code: 'invalid-code',
        message: 'that code does not match: check the app shows flxra for this account, and its clock',
      };
    }
    return { ok: true };
  }

  /** A sign-in's (or a change's) code against the second factor in use, spent if it is good. */
  check(username: string, code: string): CodeCheck {
    const record = this.store.getSecondFactor(username);
    if (!record?.secret) return 'invalid';
    const step = this.stepOf(username, record.secret, code);
    if (step === null) return 'invalid';
    return this.store.spendSecondFactorStep(username, step) ? 'ok' : 'replayed';
  }

  /** Turns it off (the user, with a code; or an administrator's reset); false when none was on. */
  remove(username: string): boolean {
    return this.store.removeSecondFactor(username);
  }

  /** The time step the code belongs to, or null when it is not one of the window's. */
  private stepOf(username: string, sealed: Buffer, code: string): number | null {
    const secret = new Secret({ buffer: toArrayBuffer(this.box.open(sealed, context(username))) });
    const timestamp = this.clock.now();
    const delta = this.totp(username, secret).validate({ token: code, timestamp, window: WINDOW });
    return delta === null ? null : TOTP.counter({ period: PERIOD_S, timestamp }) + delta;
  }

  private totp(username: string, secret: Secret): TOTP {
    return new TOTP({
      issuer: this.issuer,
      label: username,
      secret,
      algorithm: 'SHA1',
      digits: DIGITS,
      period: PERIOD_S,
    });
  }
}

/** What a sealed secret is bound to: its user (a row copied to another user does not open). */
function context(username: string): string {
  return `console second factor:${username}`;
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
