/**
 * Above every page, for admins: repeated failed sign-ins in the last hour, from one address or
 * against one account (the relay slows the addresses down; the account's owner still gets in, so
 * someone has to know it is being tried). Polled; gone once an hour passes quietly.
 */
import type { SignInAlert } from '../../../../shared/console-security';
import { consoleApi } from '../api';
import { usePolled } from '../polling';
import { useConsole } from '../store';

const ALERTS_POLL_MS = 10_000;

function describe(alert: SignInAlert): string {
  const attempts = alert.failures + alert.refused;
  const what =
    alert.kind === 'address'
      ? `${attempts} failed sign-ins from address ${alert.subject}`
      : `${attempts} failed sign-ins to the account ${alert.subject} from ${alert.addresses} address${alert.addresses === 1 ? '' : 'es'}`;
  const refused = alert.refused ? `, ${alert.refused} of them turned away while it had to wait` : '';
  return `${what}${refused}; the last at ${new Date(alert.lastAt).toLocaleTimeString()}`;
}

export function SignInAlertsBanner() {
  const alerts = usePolled(() => consoleApi.signInAlerts(), ALERTS_POLL_MS).value?.alerts ?? [];
  if (alerts.length === 0) return null;
  return (
    <section className="alerts" role="alert" aria-labelledby="sign-in-alerts-title">
      <h2 id="sign-in-alerts-title">Repeated failed sign-ins</h2>
      <ul>
        {alerts.map((a) => (
          <li key={`${a.kind} ${a.subject}`}>{describe(a)}</li>
        ))}
      </ul>
      <p>
        Those addresses are slowed down; the accounts stay open to their owners. Second factors (Security) stop a
        guessed password from being enough.{' '}
        <button type="button" onClick={() => useConsole.getState().go('audit')}>
          See the audit trail
        </button>
      </p>
    </section>
  );
}
