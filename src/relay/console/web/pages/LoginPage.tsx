/**
 * Sign-in. There is no default account: the first admin comes from the setup link, and before
 * there is one the page says where that link is printed instead of showing a form. A user with a
 * second factor is asked, after the right password, for the code their authenticator app shows;
 * the page then sends the password again with it (the relay keeps no half-signed-in state).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiFailure, consoleApi, message } from '../api';
import { useConsole } from '../store';
import { Field, formText, SetupLinkHelp } from './SetupPage';

export function LoginPage() {
  /** Before setup there is nobody to sign in: the page says where the setup link is instead. */
  const [setupNeeded, setSetupNeeded] = useState(false);
  useEffect(() => {
    consoleApi.setupState().then(
      (s) => setSetupNeeded(s.needed),
      () => undefined,
    );
  }, []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The username and password the relay asked a code for. */
  const [needsCode, setNeedsCode] = useState<{ username: string; password: string } | null>(null);
  const signIn = async (body: { username: string; password: string; code?: string }) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await consoleApi.login({ body });
      const { signedIn, page, go } = useConsole.getState();
      signedIn(answer);
      if (page === 'login') go('devices');
    } catch (err) {
      if (err instanceof ApiFailure && err.code === 'second-factor-required' && body.code === undefined) {
        setNeedsCode({ username: body.username, password: body.password });
      } else setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (needsCode) return void signIn({ ...needsCode, code: formText(form, 'code') });
    void signIn({ username: formText(form, 'username'), password: formText(form, 'password') });
  };
  const alert = error && (
    <p className="error" role="alert">
      {error}
    </p>
  );
  if (needsCode) {
    return (
      <section className="card" aria-labelledby="code-title">
        <h1 id="code-title">Enter your code</h1>
        <p>Open your authenticator app and enter the 6-digit code it shows for flxra ({needsCode.username}).</p>
        <form onSubmit={submit}>
          <Field name="code" label="Code" autoComplete="one-time-code" inputMode="numeric" />
          {alert}
          <p className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Sign in
            </button>
            <button type="button" onClick={() => (setNeedsCode(null), setError(null))}>
              Back
            </button>
          </p>
        </form>
      </section>
    );
  }
  if (setupNeeded) {
    return (
      <section className="card" aria-labelledby="setup-first-title">
        <h1 id="setup-first-title">This relay has no administrator yet</h1>
        <p>Nobody can sign in before the first administrator is made with the relay&apos;s setup link.</p>
        <SetupLinkHelp />
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in to the flxra console</h1>
      <form onSubmit={submit}>
        <Field name="username" label="Username" autoComplete="username" />
        <Field name="password" label="Password" type="password" autoComplete="current-password" />
        {alert}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}
