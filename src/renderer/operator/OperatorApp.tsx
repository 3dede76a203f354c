import { useState, type FormEvent } from 'react';
import type { OperatorState, RelayRouteShown } from '../../shared/ipc';
import { RelayRoute } from '../shared/RelayRoute';
import { formatSessionId } from '../../shared/protocol';
import { operatorEndMessage } from '../shared/end-messages';
import { useOperatorStore } from './store';
import { ActiveSession } from './ActiveSession';
import { EndedTools } from './tools/ToolsPanel';
import { Home } from './Home';
import { SessionSummary } from './SessionSummary';
import { Waiting } from './Waiting';

const api = () => window.flxra.operator;

/** A problem the operator must read, announced to screen readers; nothing when there is none. */
function Alert({ text, testId }: { text?: string | null | undefined; testId?: string }) {
  if (!text) return null;
  return (
    <p className="error" role="alert" data-testid={testId}>
      {text}
    </p>
  );
}

/** Not signed in: why, and where to paste the token the relay administrator gave. */
function SignIn({ relay, message, route }: { relay?: string; message?: string; route: RelayRouteShown }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    api()
      .signIn(token)
      .catch(() => undefined) // the state that follows says why
      .finally(() => {
        setBusy(false);
        setToken('');
      });
  };
  return (
    <form className="card" onSubmit={submit} data-testid="signed-out">
      <h1>{relay ? `Not connected to ${relay}` : 'Not connected to the relay'}</h1>
      <p role="status" data-proxy-refused={route.proxyRefusal?.code}>
        {message ?? 'Connecting…'}
      </p>
      {route.relayRoute && (
        <p className="muted">
          <RelayRoute state={route} />
        </p>
      )}
      <p data-testid="sign-in-from-console">
        Sign in with your console account: in the console, open Security and press “Connect the app”.{' '}
        <button
          type="button"
          onClick={() =>
            void api()
              .openConsole()
              .catch(() => undefined)
          }
        >
          Open the console
        </button>
      </p>
      <p className="muted">Or paste an operator token your administrator gave you:</p>
      <label htmlFor="operator-token">Operator token</label>
      <input
        id="operator-token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={token}
        onChange={(e) => setToken(e.target.value)}
      />
      <button className="primary" type="submit" disabled={busy || token.trim() === ''}>
        Sign in
      </button>
      <p className="muted">
        {relay ? `The administrator of ${relay}` : 'Your relay administrator'} gives you this token once. flxra keeps it
        in your system keychain for that relay only.
      </p>
    </form>
  );
}

/** First use of a relay: the operator compares its key with the one their administrator published. */
function TrustRelay({ relay, fingerprint }: { relay: string; fingerprint: string }) {
  return (
    <main className="card" role="alertdialog" aria-labelledby="trust-title" data-testid="trust-relay">
      <h1 id="trust-title">Trust this relay?</h1>
      <p>
        The activation file comes from <strong>{relay}</strong>, which you have not used before. Compare its key
        fingerprint with the one your administrator published:
      </p>
      <p className="fingerprint" data-testid="fingerprint">
        {fingerprint}
      </p>
      <div className="actions">
        <button className="primary" onClick={() => void api().trustRelay(true)}>
          The fingerprints match: trust it
        </button>
        <button onClick={() => void api().trustRelay(false)}>Do not trust</button>
      </div>
    </main>
  );
}

/** A sign-in link arrived (any web page can open one): nothing is redeemed before the operator says so. */
function ConfirmSignIn({ relay, current }: Extract<OperatorState, { status: 'confirm-sign-in' }>) {
  return (
    <main className="card" role="alertdialog" aria-labelledby="confirm-sign-in-title" data-testid="confirm-sign-in">
      <h1 id="confirm-sign-in-title">Sign the app in to {relay} with the code from the console?</h1>
      {current ? (
        <p data-testid="confirm-sign-in-current">
          The app is signed in as{' '}
          <strong>
            {current.operator.name} ({current.operator.organisation})
          </strong>{' '}
          on {current.relay} now. The code signs it in as the console account that made it instead; the app says whose
          that is once it is signed in.
        </p>
      ) : (
        <p>The code signs the app in as the console account that made it.</p>
      )}
      <p className="muted">Only go on if you pressed “Connect the app” in your console just now.</p>
      <div className="actions">
        <button className="primary" onClick={() => void api().confirmSignIn(true)}>
          Sign in
        </button>
        <button onClick={() => void api().confirmSignIn(false)}>Cancel</button>
      </div>
    </main>
  );
}

function PasswordPrompt(props: { sessionId: string; deviceName?: string; message?: string; retryAt?: number }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    api()
      .submitPassword(password)
      .then(() => setPassword(''))
      .catch((err: Error) => setError(err.message));
  };
  return (
    <form className="card" onSubmit={submit} data-testid="password-prompt">
      <h1 data-testid="unattended-bar">
        Unattended assistance — {props.deviceName ? `${props.deviceName}, ` : ''}session{' '}
        {formatSessionId(props.sessionId)}
      </h1>
      <Alert text={props.message} testId="password-message" />
      <label htmlFor="password">One-time password</label>
      <input
        id="password"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button className="primary" type="submit">
        Connect
      </button>
      <button type="button" onClick={() => void api().leave()}>
        Cancel
      </button>
      <Alert text={error} />
    </form>
  );
}

export function OperatorApp() {
  const session = useOperatorStore((s) => s.session);

  switch (session.status) {
    case 'signed-out':
      return (
        <SignIn
          {...(session.relay ? { relay: session.relay } : {})}
          {...(session.message ? { message: session.message } : {})}
          route={session}
        />
      );
    case 'idle':
      return (
        <Home
          notice={session.message}
          relayFingerprint={session.relayFingerprint}
          header={
            <header className="bar">
              Signed in as {session.operator.name} ({session.operator.organisation}) <RelayRoute state={session} />
            </header>
          }
        />
      );
    case 'refused':
      // Nothing is lost: the operator can still open another file, ask again or join by ID.
      return (
        <div data-testid="refused">
          <Home notice={session.message} again={session.again} />
        </div>
      );
    case 'confirm-sign-in':
      return <ConfirmSignIn {...session} />;
    case 'trust-relay':
      return <TrustRelay relay={session.relay} fingerprint={session.fingerprint} />;
    case 'password':
      return <PasswordPrompt {...session} />;
    case 'ended':
      return (
        <>
          <Home
            notice={operatorEndMessage(session.reason)}
            again={session.again}
            header={<header className="bar">Signed in as {session.operator.name}</header>}
          />
          <SessionSummary />
          <EndedTools />
        </>
      );
    case 'waiting':
      return <Waiting session={session} />;
    case 'active':
      return <ActiveSession session={session} />;
  }
}
