/**
 * The relay's carrying of what comes back from the device's secure desktop (docs/secure-desktop.md),
 * socket-free: the agent (already checked to be the agent of this assistance's device, on its own
 * connection) says the secure desktop is up or gone, and sends its frames. The state goes to the
 * admitted operator and to the host (whose indicator tells the user, in words); frames go to the
 * admitted operator only, never to the host, and only while the assistance is running. The relay
 * keeps no frame: each one is checked (its size bounded by the shared schema and socket.io's
 * message limit) and handed on, or dropped. Two facts it keeps, per assistance while it lasts:
 * whether the SYSTEM helper is attached (the admitted operator is told on each admission and each
 * change, so that its Ctrl+Alt+Del goes to the helper and not to the host), and whether a secure
 * desktop is up (told again to a party that connects while it is, so a viewer or indicator back
 * from a reconnect does not miss it).
 */
import type { SessionId } from '../../shared/protocol.js';
import type { SecureDesktopFrame } from '../../shared/secure-desktop-stream.js';
import type { LifecycleState } from '../assistances/lifecycle.js';
import type { ConnId, Outgoing } from '../messages.js';

export type SecureDesktopUpdate =
  { kind: 'state'; up: boolean } | { kind: 'frame'; frame: SecureDesktopFrame } | { kind: 'helper'; attached: boolean };

export interface SecureDesktopStreamDeps {
  state(sessionId: SessionId): LifecycleState | null;
  parties(sessionId: SessionId): { operatorConn: ConnId | null; hostConn: ConnId | null } | null;
  log(message: string, fields: { session: string }): void;
}

export class SecureDesktopStream {
  /** The assistances (pending or running) whose agent has a helper attached. */
  private readonly helpers = new Set<SessionId>();
  /** The assistances (pending or running) whose device has a secure desktop up now. */
  private readonly up = new Set<SessionId>();

  constructor(private readonly deps: SecureDesktopStreamDeps) {}

  fromAgent(sessionId: SessionId, update: SecureDesktopUpdate): Outgoing[] {
    // The helper may be attached before anyone is admitted: kept, and told on admission.
    if (update.kind === 'helper') {
      if (update.attached) this.helpers.add(sessionId);
      else this.helpers.delete(sessionId);
      return this.deps.state(sessionId)?.phase === 'active' ? this.announce(sessionId) : [];
    }
    // Whether it is up is kept from before admission too: an operator let in later is told.
    if (update.kind === 'state') {
      if (update.up) this.up.add(sessionId);
      else this.up.delete(sessionId);
    }
    const state = this.deps.state(sessionId);
    if (state?.phase !== 'active') {
      this.deps.log('secure-desktop update dropped: the assistance is not running', { session: sessionId });
      return [];
    }
    const parties = this.deps.parties(sessionId);
    const operator = parties?.operatorConn ?? null;
    if (update.kind === 'frame') {
      if (!operator) return [];
      return [{ to: operator, event: 'secure-desktop:frame', payload: { sessionId, frame: update.frame } }];
    }
    const payload = { sessionId, up: update.up };
    const to = [operator, parties?.hostConn ?? null].filter((c): c is ConnId => c !== null);
    return to.map((conn) => ({ to: conn, event: 'secure-desktop:state', payload }));
  }

  /**
   * A party connected (admitted, or back after a reconnect): the operator is told whether a helper
   * is attached, and both are told again of a secure desktop that is up.
   */
  announce(sessionId: SessionId): Outgoing[] {
    const parties = this.deps.parties(sessionId);
    const operator = parties?.operatorConn ?? null;
    const out: Outgoing[] = [];
    if (operator)
      out.push({
        to: operator,
        event: 'secure-desktop:helper',
        payload: { sessionId, attached: this.helpers.has(sessionId) },
      });
    if (this.up.has(sessionId))
      for (const conn of [operator, parties?.hostConn ?? null])
        if (conn) out.push({ to: conn, event: 'secure-desktop:state', payload: { sessionId, up: true } });
    return out;
  }

  /** The assistance is over. */
  ended(sessionId: SessionId): void {
    this.helpers.delete(sessionId);
    this.up.delete(sessionId);
  }
}
