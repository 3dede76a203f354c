/**
 * The operator's screen while the user is asked: who is asked, and how long the request still
 * stands (a countdown to the activation file's expiry, when the file said it), and, when this app
 * lost its relay connection meanwhile, the viewer's banner: reconnecting, then unreachable.
 */
import { useEffect, useState } from 'react';
import type { OperatorState } from '../../shared/ipc';
import { formatSessionId } from '../../shared/protocol';
import { ConnectionBanner } from './ConnectionBanner';
import { waitingCondition } from './connection-state';

/** "4 min 05 s", "12 s": what is left, rounded down to the second. */
export function remaining(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes > 0 ? `${minutes} min ${String(rest).padStart(2, '0')} s` : `${rest} s`;
}

function Countdown({ until }: { until: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = until - now;
  return (
    <p data-testid="request-countdown" role="timer">
      {left > 0
        ? `This request expires in ${remaining(left)}.`
        : 'This request has expired: the user can no longer answer it.'}
    </p>
  );
}

export function Waiting({ session }: { session: Extract<OperatorState, { status: 'waiting' }> }) {
  const who = `${session.deviceName} (session ${formatSessionId(session.sessionId)})`;
  return (
    <main className="card" data-testid="waiting">
      <h1>Waiting for the user's consent…</h1>
      <ConnectionBanner condition={waitingCondition(session)} />
      {session.deviceAway ? (
        <p data-testid="device-away" role="status">
          {who} is reconnecting to the relay; its user is asked once it is back.
        </p>
      ) : (
        <p>{who} is asking its user to allow you.</p>
      )}
      {session.expiresAt !== undefined && <Countdown until={session.expiresAt} />}
      <button onClick={() => void window.flxra.operator.leave()}>Cancel</button>
    </main>
  );
}
