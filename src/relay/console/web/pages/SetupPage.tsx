/**
 * The first admin, from the one-time link the relay printed (the token is in the URL's
 * fragment, which no request carries). The link is checked as the page opens, without using it
 * up, so that a mistyped or used one says so before anyone types. Shows the new operator
 * identity's app token once, with a Copy button.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { SetupResponse } from '../../../../shared/console-api';
import { ApiFailure, consoleApi, message } from '../api';
import { CopyButton } from '../CopyButton';
import { useConsole } from '../store';

export function SetupPage() {
  const [token] = useState(() => location.hash.slice(1));
  const [needed, setNeeded] = useState<boolean | null>(null);
  /** The link's token as the relay found it when the page opened: null while it is asked. */
  const [link, setLink] = useState<{ valid: true } | { valid: false; why: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<SetupResponse | null>(null);
  useEffect(() => {
    // Another link pasted into this tab changes only the fragment, which loads nothing: load it.
    const reload = () => location.reload();
    addEventListener('hashchange', reload);
    return () => removeEventListener('hashchange', reload);
  }, []);
  useEffect(() => {
    // The token stays in this page's memory only, not in the address bar or history.
    history.replaceState(null, '', location.pathname);
    // Checked at once (without using it up): a wrong or used link says so before anyone types.
    if (!token) {
      consoleApi.setupState().then(
        (state) => setNeeded(state.needed),
        (err: unknown) => setError(message(err)),
      );
      return;
    }
    consoleApi.setupCheck({ body: { setupToken: token } }).then(
      () => {
        setNeeded(true);
        setLink({ valid: true });
      },
      (err: unknown) => {
        if (err instanceof ApiFailure && err.code === 'setup-done') return setNeeded(false);
        setNeeded(true);
        setLink({ valid: false, why: message(err) });
      },
    );
  }, []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get('password') !== form.get('confirm')) return setError('The two passwords differ.');
    setError(null);
    try {
      const text = (name: string) => formText(form, name);
      const answer = await consoleApi.setup({
        body: {
          setupToken: token,
          username: text('username'),
          name: text('name'),
          organisation: text('organisation'),
          password: text('password'),
        },
      });
      setDone(answer);
    } catch (err) {
      setError(message(err));
    }
  };

  if (done) {
    return (
      <section className="card" aria-labelledby="setup-done">
        <h1 id="setup-done">Administrator created</h1>
        <p>
          You are signed in as {done.user.name}. Your operator token for the flxra app (to open the assistances you
          request here) is:
        </p>
        <p className="secret" aria-label="Operator token">
          {done.operatorToken}
        </p>
        <CopyButton text={done.operatorToken} label="Copy operator token" />
        <p className="notice">It is not shown again: the relay keeps only a hash of it. Store it in the app now.</p>
        <button type="button" className="primary" onClick={() => finish(done)}>
          Continue to the console
        </button>
      </section>
    );
  }
  if (needed === false) {
    return (
      <section className="card">
        <h1>Setup is done</h1>
        <p>The first administrator exists already.</p>
        <button type="button" onClick={() => useConsole.getState().go('login')}>
          Sign in
        </button>
      </section>
    );
  }
  if (needed === null)
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="loading">Checking the setup link…</p>
    );
  if (!token || link?.valid === false) {
    return (
      <section className="card" aria-labelledby="setup-title">
        <h1 id="setup-title">This setup link does not work</h1>
        <p className="error" role="alert">
          {token ? link?.valid === false && link.why : 'This page needs the whole setup link, with the part after #.'}
        </p>
        <SetupLinkHelp />
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="setup-title">
      <h1 id="setup-title">Set up the first administrator</h1>
      <form onSubmit={(event) => void submit(event)}>
        <Field name="username" label="Username" autoComplete="username" />
        <Field name="name" label="Your name" autoComplete="name" />
        <Field name="organisation" label="Organisation" autoComplete="organization" />
        <Field
          name="password"
          label="Password (at least 12 characters)"
          type="password"
          autoComplete="new-password"
          minLength={12}
        />
        <Field name="confirm" label="Password again" type="password" autoComplete="new-password" minLength={12} />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          Create administrator
        </button>
      </form>
    </section>
  );
}

/** Where the one-time setup link is: said on the sign-in page before setup, and beside a link that does not work. */
export function SetupLinkHelp() {
  return (
    <p>
      The relay prints a one-time setup link on its standard output when it starts without an administrator: in the
      terminal where <code>npm start</code> (or <code>relay serve</code>) runs, or in its service&apos;s log. It looks
      like <code>{location.origin}/console/setup#…</code>. Each start prints a new one, and the earlier ones stop
      working.
    </p>
  );
}

function finish(done: SetupResponse) {
  const { signedIn, go } = useConsole.getState();
  signedIn(done);
  go('devices');
}

/** A form's text field ('' when missing: the relay says what is wrong with it). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

export function Field(props: {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  minLength?: number;
  required?: boolean;
  inputMode?: 'numeric';
}) {
  const id = `field-${props.name}`;
  return (
    <p className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        required={props.required ?? true}
        autoComplete={props.autoComplete}
        minLength={props.minLength}
        inputMode={props.inputMode}
      />
    </p>
  );
}
