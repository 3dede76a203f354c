import { BROWSER_OPERATOR_NOTICE } from '../../shared/browser-operator';
import { useEffect, useState } from 'react';
import type { HostState } from '../../shared/ipc';
import { formatSessionId } from '../../shared/protocol';
import { hostEndMessage, NOTHING_SHARED } from '../shared/end-messages';
import { useHostStore } from './store';
import { ControlRequest } from './ControlRequest';
import { OpenTools } from './OpenTools';
import { HostAssist } from './HostAssist';
import { HostTransfers } from './HostTransfers';
import { VerificationWords } from './VerificationWords';
import { RelayRoute } from '../shared/RelayRoute';

const api = () => window.flxra.host;

function Countdown({ deadline }: { deadline: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  const seconds = Math.max(0, Math.ceil((deadline - now) / 1000));
  return <p className="muted">Denied automatically in {seconds} s.</p>;
}

function EndedNotice({ session }: { session: Extract<HostState, { status: 'ended' }> }) {
  return (
    <p className="notice" role="status" data-testid="host-ended">
      {session.wordsDiffered
        ? 'You ended the session because the words were different. Tell your help desk: someone may have been between you and the operator.'
        : hostEndMessage(session.reason, session.operator?.name, session.waitedMs)}
    </p>
  );
}

/** The last screen, after any end: why it ended, that nothing is shared, and that the window closes by itself. */
function NothingShared({ session }: { session: Extract<HostState, { status: 'ended' | 'deactivated' }> }) {
  return (
    <main className="card" data-testid="host-over">
      {session.status === 'ended' ? (
        <EndedNotice session={session} />
      ) : (
        <p className="notice" role="status" data-testid="host-ended">
          {hostEndMessage('expired')}
        </p>
      )}
      <p data-testid="nothing-shared">
        <strong>{NOTHING_SHARED}</strong>
      </p>
      <p className="muted">This window closes by itself in a few seconds.</p>
    </main>
  );
}

export function HostApp() {
  const session = useHostStore((s) => s.session);
  const stream = useHostStore((s) => s.stream);
  const streamError = useHostStore((s) => s.streamError);
  const sound = useHostStore((s) => s.sound);
  const shareAgain = useHostStore((s) => s.shareAgain);

  switch (session.status) {
    case 'connecting':
      return (
        <main className="card" data-testid="host-connecting">
          <h1>{session.proxyRefusal ? 'Cannot reach your help desk' : 'Connecting to your help desk…'}</h1>
          {/* A proxy's refusal is said once, by the route line (its code with it). */}
          {session.message && !session.proxyRefusal && <p className="muted">{session.message}</p>}
          {(session.relayRoute || session.proxyRefusal) && (
            <p className="muted">
              <RelayRoute state={session} />
            </p>
          )}
        </main>
      );
    case 'ready':
      return (
        <main className="card" data-testid="host-ready">
          <h1>Ready for remote assistance</h1>
          <p>Give this session ID to your help desk:</p>
          <p className="session-id" data-testid="session-id">
            {formatSessionId(session.sessionId)}
          </p>
          <p className="muted">Nobody can see or control your screen unless you allow it.</p>
          <p className="muted">
            <RelayRoute state={session} />
          </p>
        </main>
      );
    case 'ended':
    case 'deactivated':
      // Whatever ended it, nothing is shared now and nothing here can be joined: the window closes itself soon.
      return <NothingShared session={session} />;
    case 'requested':
      // Shown before the operator connects: the user learns who asked, and what will happen.
      return (
        <main className="card" role="status" data-testid="host-requested">
          <h1>
            Remote assistance was requested by <strong>{session.operator.name}</strong> ({session.operator.organisation}
            )
          </h1>
          <p className="muted">
            {session.mode === 'attended'
              ? 'You will be asked before they can see or control your screen.'
              : 'They can connect without asking; a banner shows while they are connected, and you can end it at any time.'}
            {session.audio ? ' Your organisation lets them hear your computer’s sound too.' : ''}
          </p>
          <div className="actions">
            <button className="danger" onClick={() => void api().decline()}>
              Decline
            </button>
          </div>
        </main>
      );
    case 'consent':
      return (
        <main className="card consent" role="alertdialog" aria-labelledby="consent-title" data-testid="consent">
          <h1 id="consent-title">
            <span data-testid="consent-operator">{session.operator.name}</span> from{' '}
            <span data-testid="consent-organisation">{session.operator.organisation}</span> wants to view and control
            your screen{session.audio ? ' and hear your computer’s sound' : ''}.
          </h1>
          <p className="muted">
            Their identity is confirmed by your help desk's relay. Only allow it if you expect this help.
          </p>
          {session.recorded && (
            <p className="notice" data-testid="consent-recorded">
              This session will be recorded: your organisation requires it. What is on your screen and the
              operator&apos;s mouse and key presses are kept by your help desk (never what they type). Recording starts
              only once you allow.
            </p>
          )}
          {session.operator.via === 'browser' && <p data-testid="consent-browser">{BROWSER_OPERATOR_NOTICE}</p>}
          {session.wordsRequired && (
            <p data-testid="consent-words">
              Your organisation asks you to compare four words with them before they get control: the words appear once
              they see your screen.
            </p>
          )}
          <div className="actions">
            <button className="primary" onClick={() => void api().answerConsent('control')}>
              Allow control
            </button>
            <button onClick={() => void api().answerConsent('view')}>Allow view only</button>
            <button className="danger" onClick={() => void api().answerConsent('deny')}>
              Deny
            </button>
          </div>
          <Countdown deadline={session.deadline} />
        </main>
      );
    case 'active':
      return (
        <main className="indicator" role="status" data-testid="indicator">
          <span className="dot" aria-hidden="true" />
          {session.unattended ? (
            <span data-testid="unattended-banner">
              This device is under remote control by <strong>{session.operator.name}</strong> (
              {session.operator.organisation}), unattended assistance
              {session.mode === 'view' ? ', view only' : ''}
            </span>
          ) : (
            <span>
              Remote assistance active — <strong>{session.operator.name}</strong>
              {session.mode === 'view' ? ' (view only)' : ''}
            </span>
          )}
          {session.recorded && (
            <span className="notice" data-testid="recording-notice">
              ● This session is being recorded.
            </span>
          )}
          {session.audio && (
            <span data-testid="sound-shared">
              {sound ? 'Your computer’s sound is shared.' : 'Sound cannot be shared from this computer.'}
            </span>
          )}
          {stream === 'failed' && <span className="error">Screen sharing failed: {streamError}</span>}
          {stream === 'stopped' && (
            <>
              <span data-testid="capture-stopped">Your screen is not shared any more: the operator sees nothing.</span>
              <button onClick={shareAgain}>Share my screen again</button>
            </>
          )}
          {session.reconnecting && (
            <span data-testid="host-reconnecting">Reconnecting to the relay… You can still end the session.</span>
          )}
          {session.secureDesktop && (
            <span role="status" data-testid="secure-desktop-up">
              A secure screen is up (a Windows permission prompt, Ctrl+Alt+Del or the sign-in screen).{' '}
              {session.operator.name} sees it{session.mode === 'control' ? ' and can answer it' : ''} through the
              device&apos;s service.
            </span>
          )}
          <VerificationWords session={session} />
          <ControlRequest session={session} />
          <OpenTools tools={session.tools} />
          <HostAssist />
          <HostTransfers />
          <RelayRoute state={session} />
          {session.mode === 'control' ? (
            <button onClick={() => void api().setMode('view')}>Take back control</button>
          ) : (
            !session.verification.controlPending && (
              <button onClick={() => void api().setMode('control')}>Allow control</button>
            )
          )}
          <button className="danger end-session" onClick={() => void api().endSession()}>
            End session
          </button>
        </main>
      );
  }
}
