/**
 * The signed-in user changes their own password (Security page): the current one, the new one
 * twice. Their other console sign-ins end; this one stays. A user whose password an
 * administrator reset sees only this until they have chosen their own.
 */
import { useState, type FormEvent } from 'react';
import { consoleApi, message } from '../api';
import { useConsole } from '../store';
import { NewPasswordFields, newPassword, passwordRefusal } from './PasswordFields';
import { Field, formText } from './SetupPage';

export function ChangePasswordPanel() {
  const changeNeeded = useConsole((s) => s.passwordChangeNeeded);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setNote(null);
    const chosen = newPassword(form, 'new-password');
    if ('refusal' in chosen) return setRefusal(chosen.refusal);
    setRefusal(null);
    setBusy(true);
    try {
      await consoleApi.changePassword({
        body: { currentPassword: formText(form, 'current-password'), newPassword: chosen.password },
      });
      formElement.reset();
      setNote({ error: false, text: 'Your password is changed. Your other console sign-ins have ended.' });
      // Chosen at last: the rest of the console (or a second factor's setup) opens.
      if (changeNeeded) useConsole.getState().signedIn(await consoleApi.me());
    } catch (err) {
      const weak = passwordRefusal(err);
      if (weak) setRefusal(weak);
      else setNote({ error: true, text: message(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      {changeNeeded && (
        <p className="notice">
          An administrator reset your password. Choose your own to continue: enter the temporary one as your current
          password.
        </p>
      )}
      <form onSubmit={(event) => void submit(event)} aria-label="Change your password">
        <Field name="current-password" label="Current password" type="password" autoComplete="current-password" />
        <NewPasswordFields name="new-password" label="New password" refusal={refusal} />
        <button type="submit" className="primary" disabled={busy}>
          Change password
        </button>
      </form>
      {note && (
        <p className={note.error ? 'error' : 'notice'} role={note.error ? 'alert' : 'status'}>
          {note.text}
        </p>
      )}
    </section>
  );
}
