/**
 * The operator's "Request control" as the user meets it in the indicator: a question they answer
 * (Allow control goes through the same setMode as the indicator's own button, so the relay and
 * the operator learn of it by session:mode; Keep view only just closes the question).
 */
import type { HostState } from '../../shared/ipc';

const api = () => window.flxra.host;

export function ControlRequest({ session }: { session: Extract<HostState, { status: 'active' }> }) {
  if (!session.controlRequested || session.mode !== 'view') return null;
  return (
    <span role="alertdialog" aria-label="The operator asks for control" data-testid="control-request">
      <strong>{session.operator.name}</strong> asks to control your screen.{' '}
      <button onClick={() => void api().setMode('control')}>Give control</button>
      <button onClick={() => void api().keepViewOnly()}>Keep view only</button>
    </span>
  );
}
