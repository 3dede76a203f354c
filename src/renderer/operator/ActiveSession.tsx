/**
 * The operator's window inside a session: the bar (device, session, what the operator may do,
 * the verification words, sound, Leave), the connection banner and the remote screen. What it
 * says the operator may do follows what arrives: "You have control" only while the device's
 * screen is live; otherwise why not (connection-state.ts), and the viewer forwards no input.
 */
import type { OperatorState } from '../../shared/ipc';
import { formatSessionId } from '../../shared/protocol';
import { ConnectionBanner } from './ConnectionBanner';
import { pictureLive, sessionCondition } from './connection-state';
import { useOperatorStore } from './store';
import { hasSound, Viewer } from './Viewer';
import { ToolsPanel } from './tools/ToolsPanel';

const api = () => window.flxra.operator;

/** The connection's verification words, which the operator reads out to the user (docs/security.md). */
function OperatorWords() {
  const verification = useOperatorStore((s) => s.verification);
  if (!verification) return null;
  if (!verification.ok)
    return (
      <p className="error" role="alert" data-testid="words-problem">
        {verification.problem}
      </p>
    );
  return (
    <span data-testid="operator-words">
      Read these words to the user: <strong className="words">{verification.words.join(' ')}</strong>
    </span>
  );
}

function accessText(mode: 'control' | 'view', live: boolean): string {
  if (!live) return 'Nothing arrives from the device: you cannot see or control it now';
  return mode === 'control' ? 'You have control' : 'View only: the user has not given you control';
}

export function ActiveSession({ session }: { session: Extract<OperatorState, { status: 'active' }> }) {
  const stream = useOperatorStore((s) => s.stream);
  const picture = useOperatorStore((s) => s.picture);
  const condition = sessionCondition(session, picture);
  const live = pictureLive(picture);
  return (
    <main className="viewer-page">
      <header className="bar" data-testid="session-bar">
        <span>
          {session.deviceName} — session {formatSessionId(session.sessionId)} —{' '}
          <span data-testid="access-mode">{accessText(session.mode, live)}</span>
        </span>
        <OperatorWords />
        {hasSound(stream) && <span data-testid="sound-on">Sound on</span>}
        <button onClick={() => void api().leave()}>Leave session</button>
      </header>
      <ConnectionBanner condition={condition} />
      <div className="session-body">
        <Viewer mode={live ? session.mode : 'view'} />
        <ToolsPanel />
      </div>
    </main>
  );
}
