/**
 * The operator's app being signed in, for its controller (operator-controller.ts): the console's
 * `flxra:` sign-in link asked about, redeemed only after the operator's yes and used at once
 * (app-sign-in.ts checks and redeems it), the screen the question covers kept to come back to,
 * and what the home screen says afterwards: whose the app is now where a sign-in, by link or by
 * a pasted token, replaced another identity, and the key of the relay a link signed it in to.
 * Kept apart so that the controller holds files and sessions; the screen's state stays its own.
 */
import type { OperatorState } from '../../shared/ipc.js';
import type { RelayRoutes } from '../relay-route.js';
import {
  checkSignInLink,
  identitySwitchNotice,
  redeemSignInCode,
  type SignedInAs,
  type SignInLinkContext,
} from './app-sign-in.js';
import type { OperatorSession } from './operator-session.js';

/** What the sign-in needs of the controller that owns it: its relay, its keychain, its screen. */
export interface SignInDeps {
  /** Which relays a link may name (app-sign-in.ts). */
  links: SignInLinkContext;
  /** The way to each relay, for redeeming a code; undefined: direct. */
  routes: RelayRoutes | undefined;
  /** Keeps a token the relay gave (in the OS keychain). */
  saveToken(relayUrl: string, token: string): Promise<void>;
  /** The relay's active key, through its route (key-learning.ts); null when unknown. */
  relayKey(relay: string): Promise<{ relay: string; fingerprint: string } | null>;
  /** Connects to the relay with that token, in place of the session now. */
  connect(relayUrl: string, token: string): Promise<unknown>;
  /** The controller's relay session now, if any. */
  session(): Pick<OperatorSession, 'relayUrl' | 'state'> | null;
  /** The window's state now: the controller's own screen, else its session's. */
  state(): OperatorState;
  /** The controller's own screen over its session's, if it shows one. */
  own(): OperatorState | null;
  /** Puts back the screen a question covered (null: the session's), not yet shown. */
  cover(state: OperatorState | null): void;
  /** Shows a screen of the controller's own. */
  setOwn(state: OperatorState): void;
  /** Shows the window's state now again. */
  emitState(): void;
  /** A session is waiting, active or asking for its password: no sign-in now. */
  busy(): boolean;
  refuse(message: string): void;
}

export class OperatorSignIn {
  /** A sign-in link the operator is asked about: its checked relay and code, and the screen it covers. */
  private pending: {
    relay: string;
    code: string;
    covers: OperatorState | null;
    current: SignedInAs | null;
  } | null = null;
  /** Said on the home screen after a sign-in replaced another identity (whose it is now). */
  private notice: string | null = null;
  /** The key of the relay the console signed this app in to, shown to compare with the console's. */
  private relayKey: { relay: string; fingerprint: string } | null = null;

  constructor(private readonly deps: SignInDeps) {}

  /**
   * A `flxra:` sign-in link (app-sign-in.ts), which any web page can open: for a relay this app
   * trusts only, and never redeemed before the operator says yes (confirm), told who the app is
   * signed in as now where the link would replace it.
   */
  async openLink(link: string): Promise<void> {
    const deps = this.deps;
    if (deps.busy()) return deps.refuse('Finish the current session before signing in again.');
    const checked = await checkSignInLink(link, deps.links);
    if (!checked.ok) return this.refused(checked.message);
    const current = this.signedInAs();
    const covers = this.pending?.covers ?? deps.own();
    this.pending = { relay: checked.relay, code: checked.code, covers, current };
    deps.setOwn({ status: 'confirm-sign-in', relay: checked.relay, ...(current ? { current } : {}) });
  }

  /** The operator's answer to a sign-in link: redeemed, kept for its relay and used at once; or nothing happens. */
  async confirm(yes: boolean): Promise<void> {
    const { deps, pending } = this;
    if (!pending) throw new Error('No sign-in link is waiting for your answer.');
    this.pending = null;
    if (!yes) {
      deps.cover(pending.covers);
      return deps.emitState();
    }
    if (deps.busy()) return deps.refuse('Finish the current session before signing in again.');
    const result = await redeemSignInCode(pending.relay, pending.code, deps.routes);
    if (!result.ok) {
      deps.cover(pending.covers);
      return this.refused(result.message);
    }
    await deps.saveToken(result.relay, result.answer.token);
    this.relayKey = await deps.relayKey(result.relay);
    await deps.connect(result.relay, result.answer.token);
    this.noteSwitch(pending.current);
  }

  /**
   * The session's state changed while the operator is asked about a link: the question stays
   * (true), and Cancel shows the session as it is now.
   */
  keepsQuestion(): boolean {
    if (!this.pending || this.deps.own()?.status !== 'confirm-sign-in') return false;
    this.pending.covers = null;
    return true;
  }

  /** Who the app is signed in as now (outside a session), which a sign-in would replace. */
  signedInAs(): SignedInAs | null {
    const session = this.deps.session();
    const s = session?.state;
    if (!session || !s || !('operator' in s)) return null;
    return { operator: s.operator, relay: new URL(session.relayUrl).origin };
  }

  /** After a sign-in: where it replaced another identity, the home screen says whose the app is now. */
  noteSwitch(before: SignedInAs | null): void {
    const now = this.signedInAs();
    this.notice = now ? identitySwitchNotice(before, now) : null;
    if (this.notice) this.deps.emitState();
  }

  /** The notice is for the home screen right after the sign-in: a file or a join puts it away. */
  clearNotice(): void {
    this.notice = null;
  }

  /** The home screen with the notice (unless the session says something) and the relay's key if signed in by link. */
  idle(s: Extract<OperatorState, { status: 'idle' }>): OperatorState {
    const key = this.relayKey;
    const session = this.deps.session();
    const notice = this.notice && !s.message ? { message: this.notice } : {};
    if (key && session && new URL(session.relayUrl).origin === key.relay)
      return { ...s, ...notice, relayFingerprint: key.fingerprint };
    return { ...s, ...notice };
  }

  /** Still signed out: the sign-in screen stays, with why the link was not used; else a refusal. */
  private refused(message: string): void {
    const s = this.deps.state();
    if (s.status === 'signed-out') return this.deps.setOwn({ ...s, message });
    this.deps.refuse(message);
  }
}
