/**
 * What the operator sees of the device's displays, in the host's main: the primary display always,
 * another one or all only where the policy's displays.switch allows it (each choice reported to
 * the relay for the audit), and for the Electron host, which captures one display per source, the
 * capture that choice asks for (capture-source.ts picks the source). Part of HostSession, which
 * owns the state it reads.
 */
import type { HostState } from '../../shared/ipc.js';
import type { DisplayInfo } from '../../shared/input-events.js';
import type { SessionId } from '../../shared/protocol.js';
import type { InputRefusal } from '../../shared/special-keys.js';
import type { HostAssist } from './host-assist.js';

export interface HostViewDeps {
  state: () => HostState;
  displays: () => DisplayInfo[];
  assist: Pick<HostAssist, 'featureRefusal' | 'reportFeature'>;
}

export class HostView {
  constructor(private readonly deps: HostViewDeps) {}

  /**
   * The operator's choice of what it sees: the primary display always, another one or all only where the policy's
   * displays.switch allows it (reported to the relay for the audit).
   */
  choose(display: string | null): InputRefusal | null {
    const current = this.deps.state();
    if (current.status !== 'active') return { code: 'not-permitted', message: 'No assistance is active.' };
    const primary = this.deps.displays().find((d) => d.primary) ?? this.deps.displays()[0];
    const refused =
      display !== null && display === primary?.id ? null : this.deps.assist.featureRefusal('otherDisplays');
    if (display !== primary?.id) this.deps.assist.reportFeature('display', display ?? 'all', refused);
    if (!refused) this.capture.wish = { sessionId: current.sessionId, display };
    return refused;
  }

  /**
   * What the Electron host's screen capture is to be (the operator's allowed wish, for this session) and covers (the
   * display main's capture source shows; null: the whole desktop), where each display is a source (capture-source.ts).
   */
  readonly capture: { wish: { sessionId: SessionId; display: string | null } | null; covers: string | null } = {
    wish: null,
    covers: null,
  };

  /** The display the operator's allowed wish names in the active session (null: the primary one, or all). */
  captureWish(): string | null {
    const wish = this.capture.wish;
    const current = this.deps.state();
    if (current.status !== 'active' || !wish || wish.sessionId !== current.sessionId) return null;
    // The policy may have taken the other displays away since: then the primary one.
    const primary = this.deps.displays().find((d) => d.primary) ?? this.deps.displays()[0];
    if (wish.display !== primary?.id && this.deps.assist.featureRefusal('otherDisplays')) return null;
    return wish.display;
  }
}
