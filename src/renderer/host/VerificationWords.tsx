/**
 * The verification words in the host's indicator (docs/security.md): the four words of the
 * current connection, which the operator reads out from their screen. Where the device requires
 * them, control the user gave waits here until they confirm the words are the same; different
 * words end the session, as someone may sit between them and the operator.
 */
import type { HostState } from '../../shared/ipc';

const api = () => window.flxra.host;

export function VerificationWords({ session }: { session: Extract<HostState, { status: 'active' }> }) {
  const { words, controlPending, confirmed } = session.verification;
  const name = session.operator.name;
  if (!words) {
    if (!controlPending) return null;
    return (
      <p className="words-panel" data-testid="words-waiting">
        {name} gets control once you have compared four words with them; they appear here in a moment.
      </p>
    );
  }
  const shown = (
    <strong className="words" data-testid="host-words">
      {words.join(' ')}
    </strong>
  );
  if (!controlPending) {
    return (
      <span data-testid="words-shown">
        Verification words: {shown}
        {confirmed ? ' (confirmed)' : ''}
      </span>
    );
  }
  return (
    <section className="words-panel" role="alertdialog" aria-labelledby="words-title" data-testid="words-check">
      <p id="words-title">
        Before {name} gets control, ask them to read out the four words on their screen. They must be exactly:
      </p>
      <p>{shown}</p>
      <div className="actions">
        <button className="primary" onClick={() => void api().confirmWords(words)}>
          They read these words: give control
        </button>
        <button className="danger" onClick={() => void api().rejectWords()}>
          The words are different: end session
        </button>
      </div>
      <p>Different words mean someone may be between you and {name}: end the session and tell your help desk.</p>
    </section>
  );
}
