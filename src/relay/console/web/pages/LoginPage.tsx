/** Sign-in. There is no default account: the first admin comes from the setup link. */
import { useState, type FormEvent } from 'react';
import { consoleApi, message } from '../api';
import { useConsole } from '../store';
import { Field, formText } from './SetupPage';

export function LoginPage() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const answer = await consoleApi.login({
        body: { username: formText(form, 'username'), password: formText(form, 'password') },
      });
      const { signedIn, page, go } = useConsole.getState();
      signedIn(answer.user, answer.csrfToken);
      if (page === 'login') go('devices');
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in to the flxra console</h1>
      <form onSubmit={(event) => void submit(event)}>
        <Field name="username" label="Username" autoComplete="username" />
        <Field name="password" label="Password" type="password" autoComplete="current-password" />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}
