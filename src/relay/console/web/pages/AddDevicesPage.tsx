/**
 * "Add devices" (admins only): an enrolment token is made here for a report group (how long it
 * lasts, how many devices it may enrol), shown once with the one-line commands that enrol a
 * device with it on Linux and on Windows, each with a Copy button; the tokens made so far are
 * listed with what is left of them, and a token can be revoked (devices enrolled with it stay).
 */
import { useState, type FormEvent } from 'react';
import type { ListedEnrolmentToken, NewEnrolmentTokenResponse } from '../../../../shared/console-enrolment';
import { consoleApi, message } from '../api';
import { CopyButton } from '../CopyButton';
import { usePolled } from '../polling';
import { LIST_POLL_MS } from './DevicesPage';
import { formText } from './SetupPage';

const STATE_NAMES: Record<ListedEnrolmentToken['state'], string> = {
  usable: 'Usable',
  'used-up': 'Used up',
  expired: 'Expired',
  revoked: 'Revoked',
};

export function AddDevicesPage() {
  const [version, setVersion] = useState(0);
  const { value } = usePolled(() => consoleApi.enrolmentTokens(), LIST_POLL_MS, String(version));
  const [created, setCreated] = useState<NewEnrolmentTokenResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    setNote(null);
    try {
      const answer = await consoleApi.createEnrolmentToken({
        body: {
          reportGroup: formText(form, 'reportGroup'),
          days: Number(formText(form, 'days')),
          uses: Number(formText(form, 'uses')),
        },
      });
      setCreated(answer);
      setVersion((v) => v + 1);
    } catch (err) {
      setError(message(err));
    }
  };
  const revoke = (token: ListedEnrolmentToken) => {
    setNote(null);
    consoleApi.revokeEnrolmentToken({ params: { id: token.id } }).then(
      () => setNote(`Enrolment token ${token.id} was revoked: devices enrolled with it stay.`),
      (err: unknown) => setNote(message(err)),
    );
    setVersion((v) => v + 1);
  };
  const tokens = value?.enrolmentTokens ?? [];
  return (
    <section aria-labelledby="add-devices-title">
      <h1 id="add-devices-title">Add devices</h1>
      <p>
        A device joins this relay when its agent enrols with an enrolment token. Make one for the report group the
        devices belong to (policy applies per report group), then run the command shown on each device.
      </p>
      <form aria-label="New enrolment token" onSubmit={(event) => void submit(event)}>
        <p className="field">
          <label htmlFor="field-reportGroup">Report group</label>
          <input id="field-reportGroup" name="reportGroup" required />
        </p>
        <p className="field">
          <label htmlFor="field-days">Valid for (days)</label>
          <input id="field-days" name="days" type="number" min={1} max={365} defaultValue={7} required />
        </p>
        <p className="field">
          <label htmlFor="field-uses">Devices it may enrol</label>
          <input id="field-uses" name="uses" type="number" min={1} defaultValue={1} required />
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          Create enrolment token
        </button>
      </form>
      {created && <NewToken created={created} />}
      <h2>Enrolment tokens</h2>
      {note && <p role="status">{note}</p>}
      {value && tokens.length === 0 && <p>No enrolment token has been made yet.</p>}
      {tokens.length > 0 && (
        <table aria-label="Enrolment tokens">
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Report group</th>
              <th scope="col">Made</th>
              <th scope="col">Expires</th>
              <th scope="col">Uses left</th>
              <th scope="col">State</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.id}</th>
                <td>{t.reportGroup}</td>
                <td>{new Date(t.createdAt).toLocaleString()}</td>
                <td>{new Date(t.expiresAt).toLocaleString()}</td>
                <td>{t.maxUses === null ? `any (${t.uses} used)` : `${t.maxUses - t.uses} of ${t.maxUses}`}</td>
                <td>{STATE_NAMES[t.state]}</td>
                <td>
                  {t.state !== 'revoked' && (
                    <button type="button" className="danger" onClick={() => revoke(t)}>
                      Revoke {t.id}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The token just made and its commands: shown this once (the relay keeps only its MAC). */
function NewToken({ created }: { created: NewEnrolmentTokenResponse }) {
  const { enrolmentToken: made, token, commands, relayUrl } = created;
  const devices = made.maxUses === 1 ? 'one device' : `${made.maxUses} devices`;
  return (
    <section className="card" aria-labelledby="new-token-title">
      <h2 id="new-token-title">Enrolment token for {made.reportGroup}</h2>
      <p>
        It enrols {devices} with {relayUrl} until {new Date(made.expiresAt).toLocaleString()}.
      </p>
      <p className="secret" aria-label="Enrolment token">
        {token}
      </p>
      <CopyButton text={token} label="Copy token" />
      <p className="notice">
        It is not shown again: the relay keeps only a hash of it. The commands pass it on standard input, never as an
        argument, where other users of the device could read it.
      </p>
      <h3>Linux</h3>
      <p>On the device, in a flxra checkout (see the README: the device agent), as the user the agent runs as:</p>
      <pre aria-label="Linux command">{commands.linux}</pre>
      <CopyButton text={commands.linux} label="Copy Linux command" />
      <h3>Windows</h3>
      <p>In an administrator&apos;s PowerShell, in the flxra folder after npm run build:main:</p>
      <pre aria-label="Windows command">{commands.windows}</pre>
      <CopyButton text={commands.windows} label="Copy Windows command" />
    </section>
  );
}
