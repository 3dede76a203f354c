/**
 * Everything the operator's app does, for the IPC handlers: the relay session (by default the
 * configured relay; an activation file brings its own), opening `.flxra` files (the relay's
 * current keys learnt through the ones trusted, verify, trust, password) and cleaning up after
 * them: the file is deleted when its session ends.
 */
import { rm } from 'node:fs/promises';
import { activationProblemMessage, type ActivationProblem } from '../../shared/activation-file.js';
import type { EventPayloads, OperatorState } from '../../shared/ipc.js';
import type { PeerSignal, SessionId } from '../../shared/protocol.js';
import type { RelayKeys } from '../../shared/relay-api.js';
import { keyToTrust, verifyKeySet } from '../activation/relay-keys.js';
import type { KeyToTrust, TrustedRelays } from '../activation/trusted-relays.js';
import { peekActivation, verifyActivation, type TrustedKeyLookup } from '../activation/verify-activation.js';
import { OperatorSession } from './operator-session.js';
import { secureRelayUrl } from '../../shared/relay-url.js';
import { decodeDroppedFile, readActivationPath, type ActivationInput } from '../activation/activation-input.js';
import { againState, requestAgain, type AgainTarget } from './ask-again.js';
import { redeemSignInLink } from './app-sign-in.js';

/** What only the desktop app has: the system's file dialog and browser (Electron's lines in index.ts). */
export interface DesktopParts {
  /** The path the operator chose in the system's "open" dialog for `.flxra` files, or null. */
  pickActivationFile(): Promise<string | null>;
  /** Opens an https (or loopback http) URL in the system browser. */
  openExternal(url: string): Promise<void>;
}

/**
 * The relay's console, where the operator signs in with their console account: in its https form
 * (wss:// → https://); '' for an address flxra does not connect to (src/shared/relay-url.ts).
 */
export function consoleUrl(relayUrl: string): string {
  const checked = secureRelayUrl(relayUrl);
  return checked.ok ? `${new URL(checked.url).origin}/console/` : '';
}

export interface OperatorControllerOptions {
  defaultRelayUrl: string;
  /** The operator's token for a relay, with the reason when there is none. */
  loadToken: (relayUrl: string) => Promise<{ token: string | null; reason: string }>;
  /** Keeps a token the relay accepted (in the OS keychain). */
  saveToken: (relayUrl: string, token: string) => Promise<void>;
  trusted: TrustedKeyLookup & Pick<TrustedRelays, 'trust' | 'vouchers' | 'adopt'>;
  /** A relay's published keys (relay-keys.ts fetchRelayKeys). */
  fetchRelayKeys: (relay: string) => Promise<RelayKeys>;
  emit: <E extends 'operator:state' | 'operator:signal'>(channel: E, payload: EventPayloads[E]) => void;
  /** Absent where there is no desktop (the tests' controllers): the home screen's buttons say so. */
  desktop?: DesktopParts;
  now?: () => number;
  /** How long a relay connection lost inside a session reads "reconnecting" before "unreachable" (operator-session). */
  relayGraceMs?: number;
  log?: (message: string) => void;
}

interface OpenFile {
  /** Where it is on disk, to delete it when its session ends; none for a dropped or fetched one. */
  path?: string;
  text: string;
  /** Unattended, fetched by Ask again: the password the relay gave with it. */
  password?: string;
  /** Set while the operator is asked to trust the file's relay. */
  pendingTrust?: KeyToTrust;
  /** Set once the file's session started, so that its end deletes the file. */
  sessionId?: SessionId;
}

export class OperatorController {
  private session: OperatorSession | null = null;
  private file: OpenFile | null = null;
  private own: OperatorState | null = null;
  /** The device of the last assistance opened from a file, for Ask again. */
  private again: AgainTarget | null = null;
  /** The key of the relay the console signed this app in to, shown to compare with the console's. */
  private relayKey: { relay: string; fingerprint: string } | null = null;

  constructor(private readonly opts: OperatorControllerOptions) {}

  get state(): OperatorState {
    return this.own ?? this.shown(this.session?.state ?? { status: 'signed-out' });
  }

  async start(): Promise<void> {
    await this.useRelay(this.opts.defaultRelayUrl);
  }

  /**
   * Opens a `.flxra` file (from argv, a second instance, macOS open-file or the file dialog).
   * Every refusal ends in a state that says why; nothing throws to the caller.
   */
  async openFile(path: string): Promise<void> {
    if (this.busy()) return this.refuse('Finish the current session before opening another activation file.');
    await this.openInput(await readActivationPath(path), { path });
  }

  /** A `.flxra` dropped on the window: the renderer read its bytes; checked exactly as a file from disk. */
  async openDropped(_name: string, base64: string): Promise<void> {
    if (this.busy()) return this.refuse('Finish the current session before opening another activation file.');
    await this.openInput(decodeDroppedFile(base64), {});
  }

  /** "Open activation file…": the system's dialog; nothing happens when the operator cancels it. */
  async pickFile(): Promise<void> {
    const desktop = this.opts.desktop;
    if (!desktop) return this.refuse('This flxra has no file dialog; open the activation file from your files.');
    const path = await desktop.pickActivationFile();
    if (path) await this.openFile(path);
  }

  /** The configured relay's console, in the system browser: the only address this opens. */
  async openConsole(): Promise<void> {
    if (!this.opts.desktop) throw new Error('This flxra cannot open a browser.');
    const url = consoleUrl(this.opts.defaultRelayUrl);
    if (!url) throw new Error(`flxra does not connect to the relay address ${this.opts.defaultRelayUrl}.`);
    await this.opts.desktop.openExternal(url);
  }

  /**
   * Ask again: a new assistance for the device of the last one, with this app's token for that
   * relay, opened at once. Where the relay (its policy, the device) says no, the state says why.
   */
  async askAgain(): Promise<void> {
    const target = this.again;
    if (!target) throw new Error('There is no earlier assistance to ask again for.');
    if (this.busy()) throw new Error('Finish the current session first.');
    const { token } = await this.opts.loadToken(target.relay);
    if (!token) return this.refuse(`Sign in to ${target.relay} again to ask for a new assistance.`, target);
    const answer = await requestAgain(target, token);
    if (!answer.ok) return this.refuse(answer.message, target);
    this.file = { text: answer.content, ...(answer.password ? { password: answer.password } : {}) };
    await this.continueFile();
  }

  private async openInput(input: ActivationInput, from: { path?: string }): Promise<void> {
    if (!input.ok) return this.refuse(input.message);
    this.file = { ...from, text: input.text };
    await this.continueFile();
  }

  private busy(): boolean {
    return ['waiting', 'active', 'password'].includes(this.state.status);
  }

  async trustRelay(trust: boolean): Promise<void> {
    const pending = this.file?.pendingTrust;
    if (!pending) throw new Error('No relay is waiting for your decision.');
    if (!trust) {
      this.file = null;
      return this.refuse(`You did not trust the relay at ${pending.relay}; the activation file was not used.`);
    }
    await this.opts.trusted.trust(pending);
    delete this.file!.pendingTrust;
    await this.continueFile();
  }

  join(sessionId: SessionId): void {
    this.again = null;
    this.requireSession().join(sessionId);
  }

  submitPassword(password: string): void {
    this.requireSession().submitPassword(password);
  }

  leave(): void {
    this.session?.leave();
  }

  sendSignal(signal: PeerSignal): void {
    this.requireSession().sendSignal(signal);
  }

  stop(): void {
    this.session?.stop();
    this.session = null;
  }

  /** For tests: the relay connection drops as a network failure would. */
  dropConnection(): void {
    this.session?.dropConnection();
  }

  private async continueFile(): Promise<void> {
    const file = this.file!;
    const peeked = peekActivation(file.text);
    if (!peeked.ok) {
      this.file = null;
      return this.refuseProblem(peeked.problem);
    }
    const published = await this.learnKeys(peeked.relay);
    // Said by the relay itself, even where no key this app trusts signed it: it can only refuse.
    if (!(published instanceof Error) && published.revoked?.some((k) => k.kid === peeked.kid)) {
      this.file = null;
      return this.refuseProblem({ kind: 'revoked-key', relay: peeked.relay, keyId: peeked.kid });
    }
    const verified = await verifyActivation(file.text, this.opts.trusted, this.now());
    if (!verified.ok) {
      if (verified.problem.kind !== 'untrusted-relay') {
        this.file = null;
        return this.refuseProblem(verified.problem);
      }
      const { relay, keyId } = verified.problem;
      let key: KeyToTrust | 'revoked';
      try {
        if (published instanceof Error) throw published;
        key = await keyToTrust(published, relay, keyId);
      } catch (err) {
        this.file = null;
        const why = (err as Error).message.replace(/\.?$/, '.');
        return this.refuse(`${activationProblemMessage(verified.problem)} Its key could not be fetched: ${why}`);
      }
      if (key === 'revoked') {
        this.file = null;
        return this.refuseProblem({ kind: 'revoked-key', relay, keyId });
      }
      file.pendingTrust = key;
      return this.setOwn({ status: 'trust-relay', relay: key.relay, fingerprint: key.fingerprint });
    }
    const { claims, token } = verified;
    const session = await this.useRelay(claims.relay);
    if (session.state.status === 'signed-out') return; // its message says why
    file.sessionId = claims.sid;
    this.own = null;
    this.again = claims.device
      ? {
          relay: new URL(claims.relay).origin,
          deviceId: claims.device.id,
          deviceName: claims.device.name,
          mode: claims.requested,
        }
      : null;
    try {
      await session.openAssistance(token, claims.sid, claims.mode, {
        expiresAt: claims.exp * 1000,
        ...(claims.device ? { deviceName: claims.device.name } : {}),
        ...(file.password ? { password: file.password } : {}),
      });
    } catch (err) {
      this.refuse((err as Error).message);
    }
  }

  /**
   * What the file's relay publishes now. Its key set is adopted when a key this app trusts for it
   * signed it: keys rotated in since, revocations. Best effort: without an answer, the keys already
   * trusted decide (and the relay, when the file is opened).
   */
  private async learnKeys(relay: string): Promise<RelayKeys | Error> {
    let published: RelayKeys;
    try {
      published = await this.opts.fetchRelayKeys(relay);
    } catch (err) {
      this.opts.log?.(`could not read the keys of ${relay}: ${(err as Error).message}`);
      return err as Error;
    }
    const vouched = await verifyKeySet(published, relay, await this.opts.trusted.vouchers(relay));
    if (vouched && (await this.opts.trusted.adopt(relay, vouched.claims, vouched.vouchedBy)))
      this.opts.log?.(`learnt the current keys of ${relay} from its key ${vouched.vouchedBy}`);
    return published;
  }

  /**
   * The operator pastes the token their relay administrator gave them. It is kept (in the
   * keychain) only once the relay accepted it; a refused one leaves nothing behind.
   */
  async signIn(token: string): Promise<void> {
    if (this.busy()) throw new Error('Finish the current session first.');
    const relayUrl = this.session?.relayUrl ?? this.opts.defaultRelayUrl;
    const session = await this.connect(relayUrl, { token, reason: '' });
    if (session.state.status === 'signed-out') return; // its message says why
    await this.opts.saveToken(relayUrl, token);
    // A file opened before signing in (its relay asked who we are) goes on now.
    if (this.file && !this.file.sessionId && !this.file.pendingTrust) await this.continueFile();
  }

  /**
   * A `flxra:` sign-in link from the console (app-sign-in.ts): for a relay this app trusts only;
   * the token it is redeemed for is kept for that relay and used at once.
   */
  async openSignInLink(link: string): Promise<void> {
    if (this.busy()) return this.refuse('Finish the current session before signing in again.');
    const result = await redeemSignInLink(link, {
      configuredRelay: this.opts.defaultRelayUrl,
      trustsRelay: async (origin) => (await this.opts.trusted.vouchers(origin)).length > 0,
    });
    if (!result.ok) {
      // Still signed out: the sign-in screen stays, with why the link was not used.
      const s = this.session?.state;
      if (s?.status === 'signed-out') return this.setOwn({ ...s, message: result.message });
      return this.refuse(result.message);
    }
    await this.opts.saveToken(result.relay, result.answer.token);
    this.relayKey = await this.relayFingerprint(result.relay);
    await this.connect(result.relay, { token: result.answer.token, reason: '' });
  }

  /** The relay's active key's fingerprint, computed here from its key (not read from the answer). */
  private async relayFingerprint(relay: string): Promise<{ relay: string; fingerprint: string } | null> {
    const published = await this.learnKeys(relay);
    if (published instanceof Error) return null;
    const active = published.keys.find((k) => k.status !== 'retired');
    const key = active ? await keyToTrust(published, relay, active.kid).catch(() => null) : null;
    return key && key !== 'revoked' ? { relay: key.relay, fingerprint: key.fingerprint } : null;
  }

  /** Connects to a relay unless already connected to it. */
  private async useRelay(relayUrl: string): Promise<OperatorSession> {
    if (this.session && new URL(this.session.relayUrl).origin === new URL(relayUrl).origin) return this.session;
    return this.connect(relayUrl, await this.opts.loadToken(relayUrl));
  }

  private async connect(
    relayUrl: string,
    { token, reason }: { token: string | null; reason: string },
  ): Promise<OperatorSession> {
    this.session?.stop();
    this.own = null;
    const session = new OperatorSession({
      relayUrl,
      token,
      missingTokenReason: reason,
      emit: (channel, payload) => this.fromSession(channel, payload),
      ...(this.opts.relayGraceMs !== undefined ? { relayGraceMs: this.opts.relayGraceMs } : {}),
      ...(this.opts.log ? { log: this.opts.log } : {}),
    });
    this.session = session;
    await session.start();
    return session;
  }

  private fromSession<E extends 'operator:state' | 'operator:signal'>(channel: E, payload: EventPayloads[E]): void {
    if (channel === 'operator:state') {
      this.own = null;
      const s = payload as OperatorState;
      // The specification: the activation file stays only for its session, then it is deleted.
      if (s.status === 'ended' && this.file?.sessionId) void this.deleteFile();
      // Over, or refused by the relay: offered again for the same device where that makes sense.
      return this.opts.emit('operator:state', this.shown(s));
    }
    this.opts.emit(channel, payload);
  }

  /** A session's state as the window shows it: with Ask again where offered, the relay's key if signed in by link. */
  private shown(s: OperatorState): OperatorState {
    const key = this.relayKey;
    if (s.status === 'idle' && key && this.session && new URL(this.session.relayUrl).origin === key.relay)
      return { ...s, relayFingerprint: key.fingerprint };
    return againState(s, this.again);
  }

  private async deleteFile(): Promise<void> {
    const file = this.file;
    this.file = null;
    if (!file?.path) return;
    await rm(file.path, { force: true }).catch((err: Error) =>
      this.opts.log?.(`could not delete ${file.path}: ${err.message}`),
    );
  }

  private requireSession(): OperatorSession {
    if (!this.session) throw new Error('Not connected to a relay.');
    return this.session;
  }

  private refuseProblem(problem: ActivationProblem): void {
    this.refuse(activationProblemMessage(problem));
  }

  private refuse(message: string, again?: AgainTarget): void {
    this.setOwn({ status: 'refused', message, ...(again ? { again: { deviceName: again.deviceName } } : {}) });
  }

  private setOwn(state: OperatorState): void {
    this.own = state;
    this.opts.emit('operator:state', state);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}
