/**
 * The operator's window inside a session: the bar (device, session, what the operator may do,
 * the verification words, the connection's path and how main reaches the relay, sound), the
 * viewer toolbar (Toolbar.tsx: size, control, special keys, the clipboard and chat panels of
 * viewer-panels.tsx, notes, quality, Leave), the connection banner, the remote screen and the
 * open panel's slot. What it says the operator may do follows what
 * arrives: "You have control" only while the device's screen is live; otherwise why not
 * (connection-state.ts), and the viewer forwards no input.
 */
import { useRecordingProblem } from './session-recorder';
import { useMemo, useState } from 'react';
import type { OperatorState } from '../../shared/ipc';
import { pathText } from '../../shared/peer-path';
import { formatSessionId } from '../../shared/protocol';
import { ConnectionBanner } from './ConnectionBanner';
import { pictureLive, sessionCondition } from './connection-state';
import { useOperatorStore } from './store';
import { hasSound, Viewer } from './Viewer';
import { useSecureDesktopStore } from './SecureDesktopScreen';
import { sendFiles } from './files-store';
import { ToolsPanel } from './tools/ToolsPanel';
import { useAssistView } from '../shared/ChatPanel';
import { RelayRoute } from '../shared/RelayRoute';
import { PanelSlot, Toolbar } from './Toolbar';
import { VIEWER_PANELS, type ViewerPanel, type ViewerPanelId } from './viewer-panels';
import './viewer.css';

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

/** The connection's path (direct or through TURN, how, round trip), as this page's peer reads it. */
function ConnectionPath() {
  const path = useOperatorStore((s) => s.path);
  return (
    <span data-testid="connection-path" data-route={path?.route ?? 'none'} data-transport={path?.transport ?? 'none'}>
      {pathText(path)}
    </span>
  );
}

const getAssist = () => window.flxra.operator.getAssist();
const onAssist = (cb: Parameters<typeof window.flxra.operator.onAssist>[0]) => window.flxra.operator.onAssist(cb);

function accessText(mode: 'control' | 'view', live: boolean): string {
  if (!live) return 'Nothing arrives from the device: you cannot see or control it now';
  return mode === 'control' ? 'You have control' : 'View only: the user has not given you control';
}

export function ActiveSession({
  session,
  panels = VIEWER_PANELS,
}: {
  session: Extract<OperatorState, { status: 'active' }>;
  panels?: ViewerPanel[];
}) {
  const [openPanel, setOpenPanel] = useState<ViewerPanelId | 'notes' | null>(null);
  const stream = useOperatorStore((s) => s.stream);
  const recordingProblem = useRecordingProblem((s) => s.problem);
  const picture = useOperatorStore((s) => s.picture);
  // The secure desktop's picture comes through the relay, not the peer: while it is up the device is
  // live even with no peer (nobody signed in: no host, only the logon screen; docs/secure-desktop.md).
  const secureUp = useSecureDesktopStore((s) => s.up);
  const peerCondition = sessionCondition(session, picture);
  const peerOnly = peerCondition.kind === 'connecting' || peerCondition.kind === 'picture-lost';
  const condition = secureUp && peerOnly ? ({ kind: 'live' } as const) : peerCondition;
  const live = pictureLive(picture) || secureUp;
  const view = useAssistView(getAssist, onAssist);
  const control = live && session.mode === 'control';
  const assist = useMemo(() => (view ? { view, control } : null), [view, control]);
  return (
    <main className="viewer-page">
      <header className="bar" data-testid="session-bar">
        <span>
          {session.deviceName} — session {formatSessionId(session.sessionId)} —{' '}
          <span data-testid="access-mode">{accessText(session.mode, live)}</span>
        </span>
        <OperatorWords />
        <ConnectionPath />
        <RelayRoute state={session} />
        {hasSound(stream) && <span data-testid="sound-on">Sound on</span>}
        {session.recorded && (
          <span data-testid="recording-on" title="The policy requires this session to be recorded">
            ● Recorded
          </span>
        )}
        {session.recorded && recordingProblem && (
          <span className="error" role="alert" data-testid="recording-problem">
            The recording does not reach the relay ({recordingProblem}); the session ends if this lasts 30 seconds.
          </span>
        )}
      </header>
      <Toolbar
        mode={session.mode}
        live={live}
        panels={panels}
        assist={assist}
        openPanel={openPanel}
        onPanel={setOpenPanel}
      />
      <ConnectionBanner condition={condition} />
      <div className="session-body">
        <Viewer
          mode={live ? session.mode : 'view'}
          onFiles={
            view?.features?.files?.toDevice.allowed
              ? (files) => {
                  sendFiles(files);
                  setOpenPanel('files');
                }
              : undefined
          }
        />
        <PanelSlot panels={panels} assist={assist} openPanel={openPanel} />
        <ToolsPanel />
      </div>
    </main>
  );
}
