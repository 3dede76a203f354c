/**
 * Secure-desktop input in the agent (docs/secure-desktop.md): what the relay forwarded from the
 * admitted operator goes to the SYSTEM helper of that assistance over its pipe, never to the host.
 * Input the device cannot act on is answered with a refusal the operator reads: Ctrl+Alt+Del and
 * the secure desktop are Windows's, and on Windows they need the helper running for the
 * assistance. An attached helper is itself the proof of Windows (it is a Windows program), so
 * input goes to it whenever one is attached. The relay is told when a helper is attached or gone
 * (secure-desktop:helper), so that the operator's Ctrl+Alt+Del comes this way.
 */
import type { HelperClient } from '../platform/secure-desktop/pipe-client.js';
import type { SecureDesktopInput } from '../shared/secure-desktop-input.js';
import type { SecureDesktopFrame } from '../shared/secure-desktop-stream.js';
import { sasHelperRefusal, sasRefusal } from '../shared/special-keys.js';
import { SecureDesktopStreamer } from './agent-secure-desktop-stream.js';

export interface SecureDesktopRefusal {
  code: string;
  message: string;
}

export interface AgentSecureDesktopOptions {
  platform?: NodeJS.Platform;
  /** Tells the relay (and so the operator) why an input was not acted on. */
  refuse: (sessionId: string, refusal: SecureDesktopRefusal) => void;
  log: (line: string) => void;
  /** The secure desktop's state and frames, over the agent's own relay connection (none: not sent). */
  send?: {
    state(sessionId: string, up: boolean): void;
    frame(sessionId: string, frame: SecureDesktopFrame): void;
    /** A helper is attached for the assistance (true) or gone (false). */
    helper?(sessionId: string, attached: boolean): void;
  };
  /** How often a secure desktop that is up is captured. */
  captureMs?: number;
}

export class AgentSecureDesktop {
  private readonly helpers = new Map<string, HelperClient>();
  private readonly streams = new Map<string, SecureDesktopStreamer>();
  /** The assistances an operator is watching (the relay's agent:watched), attached or not yet. */
  private readonly watched = new Set<string>();
  private readonly platform: NodeJS.Platform;

  constructor(private readonly opts: AgentSecureDesktopOptions) {
    this.platform = opts.platform ?? process.platform;
  }

  /** The helper connected for an assistance (its client); replaces and closes an older one. */
  attach(sessionId: string, helper: HelperClient): void {
    this.detach(sessionId);
    this.helpers.set(sessionId, helper);
    const send = this.opts.send;
    if (!send) return;
    send.helper?.(sessionId, true);
    const stream = new SecureDesktopStreamer(sessionId, helper, { ...send, log: this.opts.log }, this.opts.captureMs);
    this.streams.set(sessionId, stream);
    stream.watch(this.watched.has(sessionId));
    stream.desktop(helper.hello.desktop);
  }

  /** An operator is watching the assistance, or no longer: the secure desktop is captured only meanwhile. */
  watching(sessionId: string, watched: boolean): void {
    if (watched) this.watched.add(sessionId);
    else this.watched.delete(sessionId);
    this.streams.get(sessionId)?.watch(watched);
  }

  /** The helper's input desktop changed (its `desktop` event): a secure one is streamed while up. */
  desktop(sessionId: string, desktop: string): void {
    this.streams.get(sessionId)?.desktop(desktop);
  }

  input(sessionId: string, input: SecureDesktopInput): void {
    const refuse = (refusal: SecureDesktopRefusal) => this.opts.refuse(sessionId, refusal);
    const helper = this.helpers.get(sessionId);
    if (input.kind === 'sas') {
      // Without a helper there is always a reason: not Windows (sas-unsupported) or no helper (sas-unavailable).
      if (!helper) return refuse(sasRefusal(this.platform, false)!);
      this.opts.log(`secure-desktop: Ctrl+Alt+Del for ${sessionId} handed to the helper (SendSAS)`);
      helper.sas().then(
        (r) => {
          if (!r.ok) refuse(sasHelperRefusal(r.message));
        },
        (err: unknown) => refuse(sasHelperRefusal((err as Error).message)),
      );
      return;
    }
    if (!helper)
      return refuse(
        this.platform !== 'win32'
          ? {
              code: 'not-windows',
              message: 'Only a Windows device has a secure desktop to take this input; this one is not.',
            }
          : {
              code: 'helper-not-running',
              message: "The device's secure-desktop helper is not running for this assistance.",
            },
      );
    helper.input(input).then(
      (r) => {
        if (!r.ok) refuse({ code: r.code, message: r.message });
      },
      (err: unknown) => this.opts.log(`secure-desktop input failed: ${(err as Error).message}`),
    );
  }

  /** The agent stops: every helper's pipe closes. */
  endAll(): void {
    for (const sessionId of [...this.helpers.keys()]) this.ended(sessionId);
  }

  /** The assistance is over: its helper's pipe closes, and the helper exits with it. */
  ended(sessionId: string): void {
    this.watched.delete(sessionId);
    this.detach(sessionId);
  }

  /** The assistance's helper and stream are closed (it is over, or another helper replaces it). */
  private detach(sessionId: string): void {
    this.streams.get(sessionId)?.close();
    this.streams.delete(sessionId);
    const helper = this.helpers.get(sessionId);
    if (!helper) return;
    helper.close();
    this.helpers.delete(sessionId);
    this.opts.send?.helper?.(sessionId, false);
  }
}
