/**
 * How an operator gets into an assistance over its relay connection: first with the signed
 * file (assistance:open: the checks in order, the policy again, then the user's consent or,
 * unattended, the password with its back-off and lock), which the first admission consumes for
 * a resume token; then, after a network drop, with that token (session:resume). Opening
 * attempts on one assistance run one at a time, so that password checks cannot overtake the
 * back-off. Kept apart because it is the part an attacker holding a file talks to.
 */
import type { ActivationClaims } from '../../shared/activation-file.js';
import {
  ActivationToken,
  type AccessMode,
  type AssistanceMode,
  type ClientEventPayload,
  type OperatorIdentity,
  type EndReason,
  type RelayErrorCode,
  type SessionId,
} from '../../shared/protocol.js';
import type { ActivationKeys } from '../activation/keys.js';
import { verifyActivation } from '../activation/sign.js';
import { operatorActor, type AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { RelayLogger } from '../log.js';
import { relayError, type ConnId, type OperatorSender, type Outgoing, type Sender } from '../messages.js';
import type { PolicyGate } from '../policy/gate.js';
import { verifySecret } from '../secret-hash.js';
import type { SessionTable } from '../sessions.js';
import type { AssistanceRecord, RelayStore } from '../store/store.js';
import { MAX_PASSWORD_FAILURES, retryAfterMs } from './attempts.js';
import type { LifecycleRefusalCode } from './lifecycle.js';
import type { AssistanceLifecycles } from './lifecycles.js';
import { normalizePassword } from './password.js';
import { newResumeToken, resumeTokenMatches } from './resume-token.js';

type OpenPayload = ClientEventPayload<'assistance:open'>;
type ResumePayload = ClientEventPayload<'session:resume'>;

/** An assistance that may still be opened, or why not (with any expiry it triggered). */
type Openable = { record: AssistanceRecord } | { refused: Outgoing[] };

const OPEN = 'assistance:open';

/** How the lifecycle's refusal of an admission reads to the operator's app. */
const ADMISSION_REFUSALS: Record<LifecycleRefusalCode, RelayErrorCode> = {
  over: 'session-expired',
  'not-ready': 'device-away',
  'device-away': 'device-away',
  busy: 'session-busy',
  'not-admitted': 'session-busy',
  'not-away': 'session-busy',
  'wrong-phase': 'session-busy',
};
const RESUME = 'session:resume';

const USED_REFUSAL = (conn: ConnId) =>
  relayError(conn, 'activation-used', OPEN, 'this activation file has been used already; request a new assistance');

/** An assistance that is over, refused with how it really ended (a decline is not a timeout). */
function endedRefusal(conn: ConnId, event: string, reason: EndReason | null): Outgoing {
  return relayError(conn, 'session-expired', event, 'this assistance is over; request a new one', {
    ...(reason ? { endReason: reason } : {}),
  });
}

export interface OpeningDeps {
  store: RelayStore;
  /** The relay's signing keys (the active one signs, those still verifying check). */
  key: ActivationKeys;
  clock: Clock;
  logger: RelayLogger;
  /** Checked again when a file is opened: it may have changed since the file was issued. */
  policy: PolicyGate;
  audit: AuditTrail;
  sessions: SessionTable;
  /** Whether an operator may be let in where the assistance stands. */
  lifecycles: AssistanceLifecycles;
  /** Ends the assistance (through finish) if its deadline has passed; the messages, or null. */
  expireIfDue: (record: AssistanceRecord) => Outgoing[] | null;
  /**
   * Whether an operator in the browser (identity `via: 'browser'`) may open this device's
   * assistance (the policy's `browser-operator` capability): null, or the refusal in words.
   * Absent: operators in the browser are refused.
   */
  browserOperators?: (deviceId: string, operator: OperatorIdentity, mode: AssistanceMode) => string | null;
}

export class Opening {
  /** Opening attempts per session, one at a time, so that password checks cannot overtake the back-off. */
  private readonly queues = new Map<SessionId, Promise<unknown>>();

  constructor(private readonly deps: OpeningDeps) {}

  /** assistance:open: the operator's app presents the file's token (and the password, unattended). */
  async open(sender: Sender, payload: OpenPayload): Promise<Outgoing[]> {
    if (sender.role !== 'operator')
      return [relayError(sender.conn, 'forbidden', OPEN, 'only operators open assistances')];
    // One spelling of a signed file only: base64 decoders would skip a space or a line break in it.
    const canonical = ActivationToken.safeParse(payload.activation).success;
    const checked = canonical
      ? await verifyActivation(this.deps.key, payload.activation)
      : ({ ok: false, reason: 'invalid' } as const);
    if (!checked.ok)
      return [
        checked.reason === 'revoked'
          ? relayError(
              sender.conn,
              'activation-revoked',
              OPEN,
              'this activation file was signed with a key this relay revoked',
            )
          : relayError(sender.conn, 'activation-invalid', OPEN, 'this is not an activation file signed by this relay'),
      ];
    const { claims } = checked;
    if (this.deps.clock.now() >= claims.exp * 1000) {
      return [
        relayError(
          sender.conn,
          'activation-expired',
          OPEN,
          'this activation file has expired; request a new assistance',
        ),
      ];
    }
    if (claims.sub !== sender.operator.id) {
      return [
        relayError(sender.conn, 'not-your-activation', OPEN, 'this activation file was issued to another operator'),
      ];
    }
    return this.oneAtATime(claims.sid, () => this.openVerified(sender, claims, payload.password));
  }

  /** session:resume: an admitted operator back from a network drop, with the token of its admission. */
  resume(sender: Sender, { sessionId, resumeToken }: ResumePayload): Outgoing[] {
    if (sender.role !== 'operator')
      return [relayError(sender.conn, 'forbidden', RESUME, 'only operators resume sessions')];
    const record = this.deps.store.getAssistance(sessionId);
    const over = relayError(sender.conn, 'session-expired', RESUME, 'this assistance is over; request a new one');
    // Revoked (someone ended the session on purpose) or never admitted: nothing to resume.
    if (!record?.resumeHash) return [over];
    if (record.operatorId !== sender.operator.id || !resumeTokenMatches(resumeToken, record.resumeHash)) {
      return [relayError(sender.conn, 'forbidden', RESUME, 'this resume token is not valid for you in this session')];
    }
    const expiry = this.deps.expireIfDue(record);
    if (expiry) return [...expiry, endedRefusal(sender.conn, RESUME, 'expired')];
    if (record.endedAt !== null) return [endedRefusal(sender.conn, RESUME, record.endReason)];
    const out = this.deps.sessions.resume(sender, sessionId);
    if (!out) return [over];
    this.deps.store.updateAssistance(sessionId, { expiresAt: null });
    this.deps.logger.info('assistance resumed', {
      session: sessionId,
      operator: sender.operator.id,
      socket: sender.conn,
    });
    return out;
  }

  /** The user allowed the waiting operator of an attended assistance in: the resume token to give it. */
  admittedByConsent(sessionId: SessionId, mode: AccessMode): string {
    const { token, hash } = newResumeToken();
    const nonce = this.deps.store.getAssistance(sessionId)?.nonce;
    if (nonce !== undefined) this.consume(sessionId, nonce, hash, mode, 'consent');
    return token;
  }

  private async openVerified(
    sender: OperatorSender,
    claims: ActivationClaims,
    password: string | undefined,
  ): Promise<Outgoing[]> {
    const found = this.openable(sender.conn, claims);
    if ('refused' in found) return found.refused;
    const { record } = found;
    // The policy may have changed since the file was issued (remote assistance switched off).
    const refusal = this.deps.policy.refusal(record.deviceId, claims.requested, 'device');
    if (refusal) {
      this.deps.audit.record({
        actor: operatorActor(sender.operator),
        action: 'assistance.refused',
        deviceId: record.deviceId,
        sessionId: record.sessionId,
        result: 'denied',
        detail: { mode: claims.requested, stage: 'open', reason: refusal },
      });
      return [relayError(sender.conn, 'forbidden', OPEN, refusal)];
    }
    const inBrowser = this.browserRefusal(sender, record);
    if (inBrowser) return inBrowser;
    if (record.mode === 'attended') return this.deps.sessions.openAttended(sender, record.sessionId);
    if (!record.password) throw new Error(`unattended assistance ${record.sessionId} has no password hash`);
    if (password === undefined) {
      return [relayError(sender.conn, 'password-required', OPEN, 'this unattended assistance needs its password')];
    }
    const wait = retryAfterMs(record, this.deps.clock.now());
    if (wait > 0) {
      return [
        relayError(sender.conn, 'retry-later', OPEN, 'too soon after a wrong password; try again later', {
          retryAfterMs: wait,
        }),
      ];
    }
    const right = await verifySecret(normalizePassword(password), record.password);
    // While the hash ran the assistance may have ended (its device left, or its time ran out).
    const current = this.openable(sender.conn, claims);
    if ('refused' in current) return current.refused;
    return right ? this.admitUnattended(sender, current.record) : this.passwordFailed(sender, current.record);
  }

  /** An operator in the browser where the policy does not allow one: refused, audited. Null otherwise. */
  private browserRefusal(sender: OperatorSender, record: AssistanceRecord): Outgoing[] | null {
    if (sender.operator.via !== 'browser') return null;
    const refusal =
      this.deps.browserOperators?.(record.deviceId, sender.operator, record.mode) ??
      (this.deps.browserOperators ? null : 'operators in the browser are not allowed on this relay');
    if (!refusal) return null;
    this.deps.audit.record({
      actor: operatorActor(sender.operator),
      action: 'assistance.refused',
      deviceId: record.deviceId,
      sessionId: record.sessionId,
      result: 'denied',
      detail: { mode: record.mode, stage: 'open', via: 'browser', reason: refusal },
    });
    return [relayError(sender.conn, 'forbidden', OPEN, refusal)];
  }

  /** Checks, in order, that the file's assistance exists, is unused, unlocked and not over. */
  private openable(conn: ConnId, claims: Pick<ActivationClaims, 'sid' | 'nonce'>): Openable {
    const record = this.deps.store.getAssistance(claims.sid);
    const refuse = (code: RelayErrorCode, message: string, before: Outgoing[] = []): Openable => ({
      refused: [...before, relayError(conn, code, OPEN, message)],
    });
    const over = 'this assistance is over; request a new one';
    if (!record || record.nonce !== claims.nonce) return refuse('session-expired', over);
    if (record.nonceUsedAt !== null) return { refused: [USED_REFUSAL(conn)] };
    if (record.lockedAt !== null)
      return refuse('locked', 'too many wrong passwords: this assistance is locked; request a new one');
    const expiry = this.deps.expireIfDue(record);
    if (expiry) return { refused: [...expiry, endedRefusal(conn, OPEN, 'expired')] };
    if (record.endedAt !== null) return { refused: [endedRefusal(conn, OPEN, record.endReason)] };
    return { record };
  }

  private admitUnattended(sender: OperatorSender, record: AssistanceRecord): Outgoing[] {
    // The banner must show before anyone is in: not while the device is reconnecting.
    const allowed = this.deps.lifecycles.check(record.sessionId, { type: 'admitted' });
    if (!allowed.ok) {
      const { code, message } = allowed.refused;
      return [relayError(sender.conn, ADMISSION_REFUSALS[code], OPEN, message)];
    }
    const { token, hash } = newResumeToken();
    // The store says who wins the file (another relay may have admitted someone with it meanwhile).
    if (!this.consume(record.sessionId, record.nonce, hash, 'control', 'password')) return [USED_REFUSAL(sender.conn)];
    const out = this.deps.sessions.admitUnattended(sender, record.sessionId, token);
    if (!out) return [relayError(sender.conn, 'session-busy', OPEN, 'another operator is already in this session')];
    return out;
  }

  private passwordFailed(sender: OperatorSender, record: AssistanceRecord): Outgoing[] {
    const now = this.deps.clock.now();
    // One counter however many relays hear wrong passwords: counted and locked in one statement.
    const counted = this.deps.store.recordPasswordFailure(record.sessionId, record.nonce, now, MAX_PASSWORD_FAILURES);
    if (!counted) {
      const current = this.openable(sender.conn, { sid: record.sessionId, nonce: record.nonce });
      return 'refused' in current ? current.refused : [USED_REFUSAL(sender.conn)];
    }
    const { failures, locked } = counted;
    this.deps.logger.warn(locked ? 'assistance locked' : 'assistance password refused', {
      session: record.sessionId,
      operator: sender.operator.id,
      failures,
    });
    this.deps.audit.record({
      actor: operatorActor(sender.operator),
      action: locked ? 'assistance.locked' : 'password.failed',
      deviceId: record.deviceId,
      sessionId: record.sessionId,
      result: locked ? 'locked' : 'failed',
      detail: { failures },
    });
    if (locked)
      return [
        relayError(
          sender.conn,
          'locked',
          OPEN,
          'too many wrong passwords: this assistance is locked; request a new one',
        ),
      ];
    const attemptsLeft = MAX_PASSWORD_FAILURES - failures;
    return [
      relayError(sender.conn, 'wrong-password', OPEN, `wrong password; ${attemptsLeft} attempts left`, {
        attemptsLeft,
      }),
    ];
  }

  /**
   * The first admission: the file is used up, the resume token replaces it, and no deadline runs
   * while the operator is in.
   */
  private consume(
    sessionId: SessionId,
    nonce: string,
    resumeHash: Buffer,
    accessMode: AccessMode,
    by: 'consent' | 'password',
  ): boolean {
    const { store, clock } = this.deps;
    const won = store.claimActivation(sessionId, nonce, { at: clock.now(), resumeHash, accessMode });
    if (won) this.deps.logger.info('assistance admitted', { session: sessionId, by });
    else this.deps.logger.warn('activation file used elsewhere first', { session: sessionId, by });
    return won;
  }

  private oneAtATime<T>(sessionId: SessionId, task: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(sessionId) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    this.queues.set(sessionId, settled);
    void settled.then(() => {
      if (this.queues.get(sessionId) === settled) this.queues.delete(sessionId);
    });
    return run;
  }
}
