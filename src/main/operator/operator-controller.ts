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
import type { KeyToTrust } from '../activation/trusted-relays.js';
import { peekActivation, verifyActivation } from '../activation/verify-activation.js';
import { OperatorSession } from './operator-session.js';
import { consoleUrl, type OperatorControllerOptions } from './operator-controller-options.js';
import { decodeDroppedFile, readActivationPath, type ActivationInput } from '../activation/activation-input.js';
import { againState, requestAgain, type AgainTarget } from './ask-again.js';
import { checkSignInLink, identitySwitchNotice, redeemSignInCode, type SignedInAs } from './app-sign-in.js';
import { OperatorTools, saveRegistryExport } from './operator-tools.js';

export { consoleUrl, type DesktopParts, type OperatorControllerOptions } from './operator-controller-options.js';

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
  /** A sign-in link the operator is asked about: its checked relay and code, and the screen it covers. */
  private pendingSignIn: {
    relay: string;
    code: string;
    covers: OperatorState | null;
    current: SignedInAs | null;
  } | null = null;
  /** Said on the home screen after a sign-in replaced another identity (whose it is now). */
  private signInNotice: string | null = null;

  /** The tools' panel traffic, on the session's relay connection. */
  readonly tools: OperatorTools;

  constructor(private readonly opts: OperatorControllerOptions) {
    this.tools = new OperatorTools(opts.emit, opts.log);
  }

  /** The terminals' copy and paste go through main: the page has no clipboard permission. */
  readClipboard(): string {
    return this.opts.desktop?.readClipboard() ?? '';
  }

  writeClipboard(text: string): void {
    this.opts.desktop?.writeClipboard(text);
  }

  /** A registry key's export, to the operator's machine through the save dialog. */
  saveExport(key: string, text: string): Promise<{ saved: string | null; message: string }> {
    return saveRegistryExport(this.opts.desktop, key, text);
  }

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
    this.signInNotice = null;
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
    this.signInNotice = null;
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
    const before = this.signedInAs();
    const session = await this.connect(relayUrl, { token, reason: '' });
    if (session.state.status === 'signed-out') return; // its message says why
    await this.opts.saveToken(relayUrl, token);
    this.noteSwitch(before);
    // A file opened before signing in (its relay asked who we are) goes on now.
    if (this.file && !this.file.sessionId && !this.file.pendingTrust) await this.continueFile();
  }

  /**
   * A `flxra:` sign-in link (app-sign-in.ts), which any web page can open: for a relay this app
   * trusts only, and never redeemed before the operator says yes (confirmSignIn), told who the
   * app is signed in as now where the link would replace it.
   */
  async openSignInLink(link: string): Promise<void> {
    if (this.busy()) return this.refuse('Finish the current session before signing in again.');
    const checked = await checkSignInLink(link, {
      configuredRelay: this.opts.defaultRelayUrl,
      trustsRelay: async (origin) => (await this.opts.trusted.vouchers(origin)).length > 0,
    });
    if (!checked.ok) return this.signInRefused(checked.message);
    const current = this.signedInAs();
    const covers = this.pendingSignIn?.covers ?? this.own;
    this.pendingSignIn = { relay: checked.relay, code: checked.code, covers, current };
    this.setOwn({ status: 'confirm-sign-in', relay: checked.relay, ...(current ? { current } : {}) });
  }

  /** The operator's answer to a sign-in link: redeemed, kept for its relay and used at once; or nothing happens. */
  async confirmSignIn(yes: boolean): Promise<void> {
    const pending = this.pendingSignIn;
    if (!pending) throw new Error('No sign-in link is waiting for your answer.');
    this.pendingSignIn = null;
    if (!yes) {
      this.own = pending.covers;
      return this.opts.emit('operator:state', this.state);
    }
    if (this.busy()) return this.refuse('Finish the current session before signing in again.');
    const result = await redeemSignInCode(pending.relay, pending.code);
    if (!result.ok) {
      this.own = pending.covers;
      return this.signInRefused(result.message);
    }
    await this.opts.saveToken(result.relay, result.answer.token);
    this.relayKey = await this.relayFingerprint(result.relay);
    await this.connect(result.relay, { token: result.answer.token, reason: '' });
    this.noteSwitch(pending.current);
  }

  /** Still signed out: the sign-in screen stays, with why the link was not used; else a refusal. */
  private signInRefused(message: string): void {
    const s = this.state;
    if (s.status === 'signed-out') return this.setOwn({ ...s, message });
    this.refuse(message);
  }

  /** Who the app is signed in as now (outside a session), which a sign-in would replace. */
  private signedInAs(): SignedInAs | null {
    const s = this.session?.state;
    if (!this.session || !s || !('operator' in s)) return null;
    return { operator: s.operator, relay: new URL(this.session.relayUrl).origin };
  }

  /** After a sign-in: where it replaced another identity, the home screen says whose the app is now. */
  private noteSwitch(before: SignedInAs | null): void {
    const now = this.signedInAs();
    this.signInNotice = now ? identitySwitchNotice(before, now) : null;
    if (this.signInNotice) this.opts.emit('operator:state', this.state);
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
      onSocket: (socket) => this.tools.attach(socket),
    });
    this.session = session;
    await session.start();
    return session;
  }

  private fromSession<E extends 'operator:state' | 'operator:signal'>(channel: E, payload: EventPayloads[E]): void {
    if (channel === 'operator:state') {
      const s = payload as OperatorState;
      this.tools.onState(s);
      // The specification: the activation file stays only for its session, then it is deleted.
      if (s.status === 'ended' && this.file?.sessionId) void this.deleteFile();
      // The operator is asked about a sign-in link: that question stays; Cancel shows the session as it is now.
      if (this.pendingSignIn && this.own?.status === 'confirm-sign-in') {
        this.pendingSignIn.covers = null;
        return;
      }
      this.own = null;
      // Over, or refused by the relay: offered again for the same device where that makes sense.
      return this.opts.emit('operator:state', this.shown(s));
    }
    this.opts.emit(channel, payload);
  }

  /** A session's state as the window shows it: with Ask again where offered, the relay's key if signed in by link. */
  private shown(s: OperatorState): OperatorState {
    if (s.status !== 'idle') return againState(s, this.again);
    const key = this.relayKey;
    const notice = this.signInNotice && !s.message ? { message: this.signInNotice } : {};
    if (key && this.session && new URL(this.session.relayUrl).origin === key.relay)
      return { ...s, ...notice, relayFingerprint: key.fingerprint };
    return { ...s, ...notice };
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
