/**
 * Everything the operator's app does, for the IPC handlers: the relay session (by default the
 * configured relay; an activation file brings its own), opening `.flxra` files (the relay's
 * current keys learnt through the ones trusted, verify, trust, password) and cleaning up after
 * them: the file is deleted when its session ends. Signing in: a pasted token here, the
 * console's sign-in link in operator-sign-in.ts, which this controller owns.
 */
import { rm } from 'node:fs/promises';
import { activationProblemMessage, type ActivationProblem } from '../../shared/activation-file.js';
import type { EventPayloads, OperatorState } from '../../shared/ipc.js';
import type { PeerSignal, SessionId } from '../../shared/protocol.js';
import { keyToTrust } from '../activation/relay-keys.js';
import { activeKeyFingerprint, learnRelayKeys } from '../activation/key-learning.js';
import type { KeyToTrust } from '../activation/trusted-relays.js';
import { peekActivation, verifyActivation } from '../activation/verify-activation.js';
import { OperatorSession } from './operator-session.js';
import { consoleUrl, type OperatorControllerOptions } from './operator-controller-options.js';
import { decodeDroppedFile, readActivationPath, type ActivationInput } from '../activation/activation-input.js';
import { againState, requestAgain, type AgainTarget } from './ask-again.js';
import { OperatorSignIn } from './operator-sign-in.js';
import { OperatorTools, saveRegistryExport } from './operator-tools.js';
import { OperatorViewer } from './operator-viewer.js';
import { AssistChat } from '../../shared/assist-chat.js';
import { OperatorRecording } from './operator-recording.js';
import { OperatorFiles } from './operator-files.js';
import { keysThrough } from '../relay-route.js';

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
  /** The console's sign-in link, and what the home screen says after a sign-in (operator-sign-in.ts). */
  private readonly signing: OperatorSignIn;

  /** The tools' panel traffic, on the session's relay connection. */
  readonly tools: OperatorTools;
  /** The viewer toolbar's Request control and ticket/notes. */
  readonly viewer: OperatorViewer;
  /** The chat, and the relay's clipboard and chat decisions, on the same connection (assist-chat.ts). */
  readonly assist: AssistChat;
  /** The recording the policy requires, uploaded chunk by chunk (operator-recording.ts). */
  readonly recording: OperatorRecording;
  /** Files fetched from the device, written into the operator's Downloads folder (operator-files.ts). */
  readonly files: OperatorFiles;

  constructor(private readonly opts: OperatorControllerOptions) {
    this.tools = new OperatorTools(opts.emit, opts.log);
    this.viewer = new OperatorViewer(opts.emit, opts.log);
    this.assist = new AssistChat((view) => opts.emit('operator:assist', view), opts.log);
    this.recording = new OperatorRecording(opts.routes, opts.log);
    this.files = new OperatorFiles(
      () => this.assist.view,
      () => opts.desktop?.downloadsFolder() ?? null,
      opts.log,
    );
    this.signing = new OperatorSignIn({
      links: {
        configuredRelay: opts.defaultRelayUrl,
        trustsRelay: async (origin) => (await opts.trusted.vouchers(origin)).length > 0,
      },
      routes: opts.routes,
      saveToken: opts.saveToken,
      relayKey: (relay) => activeKeyFingerprint(relay, this.keyDeps()),
      connect: (relayUrl, token) => this.connect(relayUrl, { token, reason: '' }),
      session: () => this.session,
      state: () => this.state,
      own: () => this.own,
      cover: (state) => (this.own = state),
      setOwn: (state) => this.setOwn(state),
      emitState: () => opts.emit('operator:state', this.state),
      busy: () => this.busy(),
      refuse: (message) => this.refuse(message),
    });
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
    const answer = await requestAgain(target, token, this.opts.routes);
    if (!answer.ok) return this.refuse(answer.message, target);
    this.file = { text: answer.content, ...(answer.password ? { password: answer.password } : {}) };
    await this.continueFile();
  }

  private async openInput(input: ActivationInput, from: { path?: string }): Promise<void> {
    this.signing.clearNotice();
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
    this.signing.clearNotice();
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
    const published = await learnRelayKeys(peeked.relay, this.keyDeps());
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
   * The operator pastes the token their relay administrator gave them. It is kept (in the
   * keychain) only once the relay accepted it; a refused one leaves nothing behind.
   */
  async signIn(token: string): Promise<void> {
    if (this.busy()) throw new Error('Finish the current session first.');
    const relayUrl = this.session?.relayUrl ?? this.opts.defaultRelayUrl;
    const before = this.signing.signedInAs();
    const session = await this.connect(relayUrl, { token, reason: '' });
    if (session.state.status === 'signed-out') return; // its message says why
    await this.opts.saveToken(relayUrl, token);
    this.signing.noteSwitch(before);
    // A file opened before signing in (its relay asked who we are) goes on now.
    if (this.file && !this.file.sessionId && !this.file.pendingTrust) await this.continueFile();
  }

  /** A `flxra:` sign-in link, asked about before anything is redeemed (operator-sign-in.ts). */
  openSignInLink(link: string): Promise<void> {
    return this.signing.openLink(link);
  }

  /** The operator's answer to a sign-in link. */
  confirmSignIn(yes: boolean): Promise<void> {
    return this.signing.confirm(yes);
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
    const route = await this.opts.routes?.forRelay(relayUrl);
    const session = new OperatorSession({
      relayUrl,
      ...(route ? { route } : {}),
      token,
      missingTokenReason: reason,
      emit: (channel, payload) => this.fromSession(channel, payload),
      ...(this.opts.relayGraceMs !== undefined ? { relayGraceMs: this.opts.relayGraceMs } : {}),
      ...(this.opts.log ? { log: this.opts.log } : {}),
      onSocket: (socket) => {
        this.tools.attach(socket);
        this.viewer.attach(socket);
        this.assist.attach(socket);
      },
    });
    this.session = session;
    this.recording.use(relayUrl, token);
    await session.start();
    return session;
  }

  private fromSession<E extends 'operator:state' | 'operator:signal'>(channel: E, payload: EventPayloads[E]): void {
    if (channel === 'operator:state') {
      const s = payload as OperatorState;
      this.tools.onState(s);
      this.viewer.onState(s);
      this.assist.onSession(s.status === 'active' ? s.sessionId : null);
      this.recording.onState(s);
      this.files.onSession(s.status === 'active' ? s.sessionId : null);
      // The specification: the activation file stays only for its session, then it is deleted.
      if (s.status === 'ended' && this.file?.sessionId) void this.deleteFile();
      // The operator is asked about a sign-in link: that question stays; Cancel shows the session as it is now.
      if (this.signing.keepsQuestion()) return;
      this.own = null;
      // Over, or refused by the relay: offered again for the same device where that makes sense.
      return this.opts.emit('operator:state', this.shown(s));
    }
    this.opts.emit(channel, payload);
  }

  /** A session's state as the window shows it: with Ask again where offered, the relay's key if signed in by link. */
  private shown(s: OperatorState): OperatorState {
    return s.status === 'idle' ? this.signing.idle(s) : againState(s, this.again);
  }

  private async deleteFile(): Promise<void> {
    const file = this.file;
    this.file = null;
    if (!file?.path) return;
    await rm(file.path, { force: true }).catch((err: Error) =>
      this.opts.log?.(`could not delete ${file.path}: ${err.message}`),
    );
  }

  /** The relays' keys, fetched through each relay's route. */
  private keyDeps() {
    return { ...this.opts, fetchRelayKeys: keysThrough(this.opts.routes, this.opts.fetchRelayKeys) };
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
