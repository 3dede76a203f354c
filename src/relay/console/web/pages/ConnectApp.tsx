/**
 * "Connect the app": signs the operator's flxra app in as the signed-in console user, so that
 * the console account is the operator's one credential. The relay makes a one-time code valid
 * for a minute; the page opens the `flxra:` link carrying only that code and this relay's
 * origin (and shows it with a Copy button, for when the system does not open the app), and shows
 * the relay's signing-key fingerprint, which the app shows too once signed in: they must match.
 */
import { useEffect, useState } from 'react';
import type { AppSignInOffer } from '../../../../shared/app-sign-in-link';
import { consoleApi, message } from '../api';
import { CopyButton } from '../CopyButton';

function secondsLeft(until: number): number {
  return Math.max(0, Math.ceil((until - Date.now()) / 1000));
}

export function ConnectApp() {
  const [offer, setOffer] = useState<AppSignInOffer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, tick] = useState(0);
  useEffect(() => {
    if (!offer) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [offer]);

  const connect = () => {
    setError(null);
    consoleApi.appSignInCode().then(
      (made) => {
        setOffer(made);
        // The system hands the link to the flxra app (registered for flxra: links).
        window.location.assign(made.link);
      },
      (err: unknown) => setError(message(err)),
    );
  };
  const left = offer ? secondsLeft(offer.expiresAt) : 0;
  return (
    <section className="panel" aria-labelledby="connect-app-title" data-testid="connect-app">
      <h2 id="connect-app-title">The flxra app</h2>
      <p>Sign the flxra app on this computer in as you: no token to paste, one account for the console and the app.</p>
      <button type="button" onClick={connect}>
        Connect the app
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {offer && (
        <div data-testid="connect-app-offer">
          {left > 0 ? (
            <p role="status">
              The app was asked to sign in. If it did not open, copy this link into it within {left} s:{' '}
              <a href={offer.link} data-testid="sign-in-link">
                open flxra
              </a>{' '}
              <CopyButton text={offer.link} label="Copy link" />
            </p>
          ) : (
            <p role="status">That link has expired: connect the app again.</p>
          )}
          <p>
            The app then shows this relay's key fingerprint. It must be the same as this one:{' '}
            <strong className="fingerprint" data-testid="console-relay-fingerprint">
              {offer.fingerprints.join(', ')}
            </strong>
          </p>
        </div>
      )}
    </section>
  );
}
