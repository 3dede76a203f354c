/**
 * The signed-in user's security: their password (ChangePasswordPanel.tsx), their TOTP second factor (set up from an otpauth:// link or its
 * secret typed into an authenticator app, on only once a code it shows is accepted; turned off
 * with a current code unless the administrators require one), and for admins the setting that
 * requires one from every console user. A user who must set one up first sees only this page; one
 * whose password an administrator reset sees only the change of their password.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ConsoleUser } from '../../../../shared/console-api';
import type { SecondFactorEnrolment, SecondFactorStatus } from '../../../../shared/console-security';
import { consoleApi, message } from '../api';
import { CopyButton } from '../CopyButton';
import { useConsole } from '../store';
import { ChangePasswordPanel } from './ChangePasswordPanel';
import { ConnectApp } from './ConnectApp';
import { Field, formText } from './SetupPage';

/** "JBSW Y3DP …": easier to type from the screen. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

export function SecurityPage({ user }: { user: ConsoleUser }) {
  const passwordChangeNeeded = useConsole((s) => s.passwordChangeNeeded);
  if (passwordChangeNeeded) {
    return (
      <section aria-labelledby="security-title">
        <h1 id="security-title">Security</h1>
        <ChangePasswordPanel />
      </section>
    );
  }
  return <SecuritySettings user={user} />;
}

function SecuritySettings({ user }: { user: ConsoleUser }) {
  const setupNeeded = useConsole((s) => s.secondFactorSetupNeeded);
  const [status, setStatus] = useState<SecondFactorStatus | null>(null);
  const [enrolment, setEnrolment] = useState<SecondFactorEnrolment | null>(null);
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () =>
    consoleApi.secondFactor().then(setStatus, (err: unknown) => setNote({ error: true, text: message(err) }));
  useEffect(() => void load(), []);

  const act = async (request: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setNote(null);
    try {
      await request();
      setNote({ error: false, text: done });
      await load();
    } catch (err) {
      setNote({ error: true, text: message(err) });
    } finally {
      setBusy(false);
    }
  };
  const begin = () => act(async () => setEnrolment(await consoleApi.beginSecondFactor()), '');
  const confirm = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = formText(new FormData(event.currentTarget), 'code');
    void act(async () => {
      await consoleApi.confirmSecondFactor({ body: { code } });
      setEnrolment(null);
      // Required and now set up: the rest of the console opens, this page staying in view.
      if (setupNeeded) {
        const { go, signedIn } = useConsole.getState();
        go('security');
        signedIn(await consoleApi.me());
      }
    }, 'Your second factor is on: signing in now asks for a code from your app.');
  };
  const disable = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = formText(new FormData(event.currentTarget), 'code');
    void act(() => consoleApi.disableSecondFactor({ body: { code } }), 'Your second factor is off.');
  };

  return (
    <section aria-labelledby="security-title">
      <h1 id="security-title">Security</h1>
      {setupNeeded && (
        <p className="notice">Your administrators require a second factor for the console. Set one up to continue.</p>
      )}
      {!setupNeeded && <ConnectApp />}
      <section className="panel" aria-labelledby="second-factor-title">
        <h2 id="second-factor-title">Second factor</h2>
        {status?.enabled ? (
          <>
            <p>Your second factor is on: signing in asks for the code your authenticator app shows.</p>
            {status.required ? (
              <p className="muted">Your administrators require it, so it cannot be turned off.</p>
            ) : (
              <form onSubmit={disable}>
                <Field
                  name="code"
                  label="Code from your app, to turn it off"
                  autoComplete="one-time-code"
                  inputMode="numeric"
                />
                <button type="submit" disabled={busy}>
                  Turn off
                </button>
              </form>
            )}
          </>
        ) : enrolment ? (
          <form onSubmit={confirm}>
            <p>
              Add this account to an authenticator app: open the link on the phone that has the app, or enter the secret
              in it by hand. Then enter the code the app shows.
            </p>
            <p>
              <a href={enrolment.uri} aria-label="Setup link" className="secret">
                {enrolment.uri}
              </a>{' '}
              <CopyButton text={enrolment.uri} label="Copy link" />
            </p>
            <p>
              <span className="secret" aria-label="Secret">
                {grouped(enrolment.secret)}
              </span>{' '}
              <CopyButton text={enrolment.secret} label="Copy secret" />
            </p>
            <Field name="code" label="Code from your app" autoComplete="one-time-code" inputMode="numeric" />
            <button type="submit" className="primary" disabled={busy}>
              Turn on
            </button>
          </form>
        ) : (
          <>
            <p>Signing in takes only your password. A second factor asks for a code from an app on your phone too.</p>
            <button type="button" className="primary" disabled={busy || !status} onClick={() => void begin()}>
              Set up a second factor
            </button>
          </>
        )}
      </section>
      {note?.text && (
        <p className={note.error ? 'error' : 'notice'} role={note.error ? 'alert' : 'status'}>
          {note.text}
        </p>
      )}
      {!setupNeeded && <ChangePasswordPanel />}
      {user.role === 'admin' && !setupNeeded && <RequireSecondFactor />}
    </section>
  );
}

function RequireSecondFactor() {
  const [required, setRequired] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    consoleApi.security().then(
      (s) => setRequired(s.requireSecondFactor),
      (err: unknown) => setError(message(err)),
    );
  }, []);
  const change = async (requireSecondFactor: boolean) => {
    setError(null);
    try {
      setRequired((await consoleApi.putSecurity({ body: { requireSecondFactor } })).requireSecondFactor);
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section className="panel" aria-labelledby="require-title">
      <h2 id="require-title">Every console user</h2>
      <label className="inline">
        <input
          type="checkbox"
          checked={required ?? false}
          disabled={required === null}
          onChange={(e) => void change(e.target.checked)}
        />
        Require a second factor
      </label>
      <p className="hint">Users without one are sent to set it up when they next use the console.</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
