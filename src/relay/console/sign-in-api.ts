/**
 * The console API's sign-in routes (handlers of the route table, dispatched by routes.ts): the
 * first admin's setup (its link checked as the page opens, throttled like
 * sign-ins), sign-in and sign-out, who is signed in, each user's own password change
 * (with their current password, throttled like a sign-in) and TOTP second factor,
 * an administrator's reset of someone else's, the "require a second factor" setting and the
 * alerts for repeated failed sign-ins. Sign-in failures slow down their address and their
 * account-and-address pair (login-throttle.ts), never the account for everyone; every wrong
 * password or code, and every attempt refused while waiting, counts towards the alerts. Nothing
 * here logs or audits a password, code, secret or token.
 */
import type { ConsoleUser } from '../../shared/console-api.js';
import type { SignInAlert } from '../../shared/console-security.js';
import type { AuditActor, AuditTrail } from '../audit/audit-trail.js';
import { ApiFailure } from '../http/json.js';
import type { RelayLogger } from '../log.js';
import { SESSION_COOKIE, type ConsoleSessions } from './console-sessions.js';
import type { LoginThrottle, ThrottleWait } from './login-throttle.js';
import type { ConsoleCall, ConsoleHandlers } from './routes.js';
import type { SecondFactors } from './second-factor.js';
import type { SetupToken } from './setup-token.js';
import type { SignInAlerts } from './sign-in-alerts.js';
import type { ConsoleUsers } from './users.js';

export interface SignInDeps {
  users: ConsoleUsers;
  sessions: ConsoleSessions;
  throttle: LoginThrottle;
  alerts: SignInAlerts;
  secondFactors: SecondFactors;
  setupToken: SetupToken;
  audit: AuditTrail;
  logger: RelayLogger;
}

type SignInRoutes =
  | 'setupState'
  | 'setupCheck'
  | 'setup'
  | 'login'
  | 'logout'
  | 'me'
  | 'changePassword'
  | 'secondFactor'
  | 'beginSecondFactor'
  | 'confirmSecondFactor'
  | 'disableSecondFactor'
  | 'resetSecondFactor'
  | 'security'
  | 'putSecurity'
  | 'signInAlerts';

const actor = (user: ConsoleUser): AuditActor => ({ kind: user.role, id: user.username, name: user.name });

/** The throttle's account for setup links (a space: no username can be it). */
const SETUP_LINK = ' setup link';

export function signInHandlers(deps: SignInDeps): Pick<ConsoleHandlers, SignInRoutes> {
  const { users, secondFactors } = deps;
  const signedInAnswer = (user: ConsoleUser, csrfToken: string) => ({
    user,
    csrfToken,
    secondFactorSetupNeeded: secondFactors.setupNeeded(user.username),
    passwordChangeNeeded: users.passwordChangeNeeded(user.username),
  });
  /** A wrong password or code (the throttle counted it already): the alerts and the audit trail hear of it. */
  const failed = (call: ConsoleCall, username: string, via: string): void => {
    const known = users.get(username);
    deps.alerts.attempt(call.address, known?.username ?? null, 'failed');
    // An unknown username is not recorded as typed: it may be a password typed in the wrong field.
    signInAudit(deps, call, known, 'failed', via);
  };
  /** Refused unchecked while the address or pair waits: counted, neither logged nor audited one by one. */
  const refuseWhileWaiting = (
    call: ConsoleCall,
    username: string,
    waiting = deps.throttle.wait(username, call.address),
  ) => {
    if (!waiting) return;
    deps.alerts.attempt(call.address, users.get(username)?.username ?? null, 'refused');
    throw tooManyAttempts(waiting);
  };
  /**
   * The code against the user's second factor, within an attempt the throttle counts already; a
   * wrong one also slows down the account's codes, from anywhere.
   */
  const checkCode = (call: ConsoleCall, user: ConsoleUser, code: string, status: 400 | 401): void => {
    const checked = secondFactors.check(user.username, code);
    if (checked === 'ok') return deps.throttle.codeSucceeded(user.username);
    failed(call, user.username, 'second factor');
    deps.throttle.codeFailed(user.username);
    throw new ApiFailure(
      status,
      'invalid-code',
      checked === 'replayed'
        ? 'that code was used already: wait for the next one your authenticator app shows'
        : 'wrong code: enter the one your authenticator app shows now',
    );
  };

  /**
   * A setup link's token, checked within the sign-ins' throttle (by address): 256 random bits
   * leave nothing to guess, but no unauthenticated call is free to repeat without end.
   */
  const checkSetupToken = (call: ConsoleCall, token: string): void => {
    if (!users.needsFirstAdmin())
      throw new ApiFailure(410, 'setup-done', 'the first administrator exists already: sign in instead');
    refuseWhileWaiting(call, SETUP_LINK);
    const attempt = deps.throttle.attempt(SETUP_LINK, call.address);
    if (!deps.setupToken.matches(token)) {
      deps.alerts.attempt(call.address, null, 'failed');
      throw new ApiFailure(
        403,
        'invalid-setup-token',
        'this setup link is not valid: it is mistyped, or from an earlier start of the relay. ' +
          'Use the link the relay printed on its standard output at its last start',
      );
    }
    attempt.forgive();
  };

  return {
    setupState: () => ({ needed: users.needsFirstAdmin() }),

    setupCheck({ body }, call) {
      checkSetupToken(call, body.setupToken);
      return { valid: true as const };
    },

    async setup({ body }, call) {
      checkSetupToken(call, body.setupToken);
      const made = await users.createFirstAdmin(body);
      if (!made.ok) throw new ApiFailure(made.code === 'setup-done' ? 410 : 400, made.code, made.message);
      deps.setupToken.consume();
      const { id, session } = deps.sessions.start(made.user.username);
      call.reply.setCookie(SESSION_COOKIE, id, deps.sessions.cookieOptions());
      signInAudit(deps, call, made.user, 'ok', 'setup');
      return { ...signedInAnswer(made.user, session.csrfToken), operatorToken: made.operatorToken };
    },

    async login({ body: { username, password, code } }, call) {
      refuseWhileWaiting(call, username);
      const attempt = deps.throttle.attempt(username, call.address);
      const user = await users.verify(username, password);
      if (!user) {
        failed(call, username, 'password');
        throw new ApiFailure(401, 'invalid-credentials', 'wrong username or password');
      }
      let via = 'password';
      if (secondFactors.enabled(user.username)) {
        if (code === undefined) {
          attempt.forgive();
          throw new ApiFailure(
            401,
            'second-factor-required',
            'enter the 6-digit code your authenticator app shows for flxra',
          );
        }
        // Checked since the password: someone holding it may be trying codes from many addresses.
        const codesWait = deps.throttle.codeWait(user.username);
        if (codesWait) attempt.forgive();
        refuseWhileWaiting(call, user.username, codesWait);
        checkCode(call, user, code, 401);
        via = 'password and second factor';
      }
      attempt.succeeded();
      const { id, session } = deps.sessions.start(user.username);
      call.reply.setCookie(SESSION_COOKIE, id, deps.sessions.cookieOptions());
      signInAudit(deps, call, user, 'ok', via);
      return signedInAnswer(user, session.csrfToken);
    },

    logout(_input, call) {
      deps.sessions.end(call.signedIn.sessionId);
      call.reply.setCookie(SESSION_COOKIE, '', deps.sessions.cookieOptions(0));
      return {};
    },

    me: (_input, { signedIn: { user, session } }) => signedInAnswer(user, session.csrfToken),

    async changePassword({ body: { currentPassword, newPassword } }, call) {
      const { user, sessionId } = call.signedIn;
      // A stolen session guessing the password is slowed down like a sign-in, before any hash runs.
      refuseWhileWaiting(call, user.username);
      const attempt = deps.throttle.attempt(user.username, call.address);
      if (!(await users.verify(user.username, currentPassword))) {
        deps.alerts.attempt(call.address, user.username, 'failed');
        passwordAudit(deps, user, user.username, 'changed', 'failed');
        throw new ApiFailure(
          400,
          'wrong-password',
          'your current password is not right: enter the one you signed in with',
        );
      }
      attempt.forgive();
      if (newPassword.normalize('NFC') === currentPassword.normalize('NFC')) {
        throw new ApiFailure(400, 'weak-password', 'the new password is your current one: choose another');
      }
      const result = await users.setPassword(user.username, newPassword, false);
      if (!result.ok) throw new ApiFailure(result.code === 'no-such-user' ? 404 : 400, result.code, result.message);
      // Whoever else signed in as this user (someone who knew the old password) is out; this page stays.
      const ended = deps.sessions.endAllOf(user.username, sessionId);
      passwordAudit(deps, user, user.username, 'changed', 'ok', ended);
      return {};
    },

    secondFactor: (_input, { signedIn: { user } }) => ({
      enabled: secondFactors.enabled(user.username),
      required: secondFactors.required(),
    }),

    beginSecondFactor(_input, { signedIn: { user } }) {
      const enrolment = secondFactors.begin(user.username);
      if (!enrolment) {
        throw new ApiFailure(
          409,
          'second-factor-on',
          'your second factor is on already: turn it off to set up another',
        );
      }
      return enrolment;
    },

    confirmSecondFactor({ body: { code } }, { signedIn: { user } }) {
      const result = secondFactors.confirm(user.username, code);
      if (!result.ok) throw new ApiFailure(result.code === 'no-setup' ? 409 : 400, result.code, result.message);
      secondFactorAudit(deps, user, user.username, 'enabled');
      return { enabled: true, required: secondFactors.required() };
    },

    disableSecondFactor({ body: { code } }, call) {
      const { user } = call.signedIn;
      if (secondFactors.required()) {
        throw new ApiFailure(409, 'second-factor-required', 'your administrators require a second factor: keep it on');
      }
      // A stolen session guessing codes is slowed down like a sign-in.
      refuseWhileWaiting(call, user.username);
      refuseWhileWaiting(call, user.username, deps.throttle.codeWait(user.username));
      const attempt = deps.throttle.attempt(user.username, call.address);
      checkCode(call, user, code, 400);
      attempt.forgive();
      secondFactors.remove(user.username);
      secondFactorAudit(deps, user, user.username, 'disabled');
      return { enabled: false, required: false };
    },

    resetSecondFactor({ params }, { signedIn: { user: admin } }) {
      const username = params.username.toLowerCase();
      if (!users.get(username)) throw new ApiFailure(404, 'no-such-user', `there is no console user ${username}`);
      if (username === admin.username) {
        throw new ApiFailure(409, 'own-account', 'turn your own second factor off on your security page');
      }
      if (!secondFactors.remove(username)) {
        throw new ApiFailure(409, 'no-second-factor', `${username} has no second factor to reset`);
      }
      secondFactorAudit(deps, admin, username, 'reset');
      return {};
    },

    security: () => ({ requireSecondFactor: secondFactors.required() }),

    putSecurity({ body: { requireSecondFactor } }, { signedIn: { user } }) {
      if (requireSecondFactor && !secondFactors.enabled(user.username)) {
        throw new ApiFailure(
          409,
          'second-factor-first',
          'set up your own second factor first: then require one from everyone',
        );
      }
      if (requireSecondFactor !== secondFactors.required()) {
        secondFactors.setRequired(requireSecondFactor);
        deps.audit.record({
          actor: actor(user),
          action: 'console.security-changed',
          result: 'ok',
          detail: { requireSecondFactor },
        });
      }
      return { requireSecondFactor: secondFactors.required() };
    },

    signInAlerts: () => ({ alerts: deps.alerts.list() }),
  };
}

/** What the alerts tell the audit trail and the log when one starts. */
export function recordSignInAlert(audit: AuditTrail, logger: RelayLogger, alert: SignInAlert): void {
  audit.record({
    actor: { kind: 'relay', id: 'console', name: 'console sign-ins' },
    action: 'sign-in.alert',
    result: 'alert',
    detail: { kind: alert.kind, subject: alert.subject, failures: alert.failures, refused: alert.refused },
  });
  logger.warn('console sign-in alert', {
    kind: alert.kind,
    subject: alert.subject,
    attempts: alert.failures + alert.refused,
  });
}

function tooManyAttempts({ waitMs, scope }: ThrottleWait): ApiFailure {
  const seconds = Math.ceil(waitMs / 1000);
  const minutes = Math.ceil(seconds / 60);
  const wait =
    seconds < 60 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const what = {
    pair: 'too many failed sign-ins for this account from your address',
    address: 'too many failed sign-ins from your address',
    codes: 'too many wrong codes for this account',
  }[scope];
  return new ApiFailure(
    429,
    'too-many-attempts',
    `${what}: try again in ${wait}`,
    { 'retry-after': String(seconds) },
    true,
  );
}

function signInAudit(deps: SignInDeps, call: ConsoleCall, user: ConsoleUser | null, result: string, via: string): void {
  deps.audit.record({
    actor: user ? actor(user) : { kind: 'relay', id: 'console', name: 'unknown username' },
    action: 'user.signed-in',
    result,
    detail: { via, address: call.address },
  });
}

/** A password changed by its user or reset by an administrator; never the password itself. */
export function passwordAudit(
  deps: Pick<SignInDeps, 'audit'>,
  by: ConsoleUser,
  username: string,
  change: 'changed' | 'reset',
  result: 'ok' | 'failed',
  signInsEnded = 0,
): void {
  deps.audit.record({
    actor: actor(by),
    action: 'user.password-changed',
    result,
    detail: { username, change, ...(result === 'ok' ? { signInsEnded } : { reason: 'wrong current password' }) },
  });
}

function secondFactorAudit(deps: SignInDeps, by: ConsoleUser, username: string, change: string): void {
  deps.audit.record({
    actor: actor(by),
    action: 'user.second-factor-changed',
    result: 'ok',
    detail: { username, change },
  });
}
