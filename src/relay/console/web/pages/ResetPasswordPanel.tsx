/**
 * An administrator resets another user's forgotten password (Users page): to one the relay makes
 * (shown once, with a Copy button) or one the admin types. The user's console sign-ins end, and
 * at their next sign-in with the temporary password they must choose their own first.
 */
import { useState, type FormEvent } from 'react';
import type { ConsoleUser } from '../../../../shared/console-api';
import { consoleApi, message } from '../api';
import { CopyButton } from '../CopyButton';
import { NewPasswordFields, newPassword, passwordRefusal } from './PasswordFields';
import { formText } from './SetupPage';

export function ResetPasswordPanel({ user, onClose }: { user: ConsoleUser; onClose: (changed: boolean) => void }) {
  const [typed, setTyped] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ password: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    let password: string | undefined;
    if (formText(form, 'reset-how') === 'typed') {
      const chosen = newPassword(form, 'reset-password');
      if ('refusal' in chosen) return setRefusal(chosen.refusal);
      password = chosen.password;
    }
    setRefusal(null);
    setError(null);
    setBusy(true);
    try {
      const answer = await consoleApi.resetPassword({
        params: { username: user.username },
        body: password === undefined ? {} : { password },
      });
      setDone({ password: answer.password ?? null });
    } catch (err) {
      const weak = password === undefined ? null : passwordRefusal(err);
      if (weak) setRefusal(weak);
      else setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <section className="result" aria-labelledby="reset-title">
        <h2 id="reset-title">The password of {user.username} was reset</h2>
        {done.password && (
          <p>
            Their temporary password:{' '}
            <span className="secret" aria-label="Temporary password">
              {done.password}
            </span>{' '}
            <CopyButton text={done.password} />
          </p>
        )}
        <p className="notice">
          {done.password ? 'It is not shown again: give it to them now. ' : ''}Their console sign-ins have ended; when
          they next sign in with it, they must choose their own password first.
        </p>
        <button type="button" onClick={() => onClose(true)}>
          Done
        </button>
      </section>
    );
  }
  return (
    <form className="panel" aria-labelledby="reset-title" onSubmit={(event) => void submit(event)}>
      <h2 id="reset-title">
        Reset the password of {user.username} ({user.name})?
      </h2>
      <p>
        They are signed out of the console at once, and must choose their own password when they next sign in with the
        temporary one. Their flxra app keeps working.
      </p>
      <fieldset className="choices">
        <legend>Temporary password</legend>
        <label className="inline">
          <input type="radio" name="reset-how" value="generated" checked={!typed} onChange={() => setTyped(false)} />
          Make one for me (shown once)
        </label>
        <label className="inline">
          <input type="radio" name="reset-how" value="typed" checked={typed} onChange={() => setTyped(true)} />I type
          one
        </label>
      </fieldset>
      {typed && <NewPasswordFields name="reset-password" label="Temporary password" refusal={refusal} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="actions">
        <button type="submit" className="danger" disabled={busy}>
          Yes, reset the password of {user.username}
        </button>
        <button type="button" onClick={() => onClose(false)}>
          Cancel
        </button>
      </p>
    </form>
  );
}
