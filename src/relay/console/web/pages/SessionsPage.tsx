/** The devices' signed-in users, each user session (polled); select one for remote assistance at session level. */
import { useState } from 'react';
import type { ConsoleUserSession } from '../../../../shared/console-api';
import { consoleApi } from '../api';
import { usePolled } from '../polling';
import { AssistancePanel } from './AssistancePanel';
import { LIST_POLL_MS } from './DevicesPage';

export function SessionsPage() {
  const { value, error } = usePolled(() => consoleApi.sessions(), LIST_POLL_MS);
  const [selected, setSelected] = useState<string | null>(null);
  const rows = value?.sessions ?? [];
  const keyOf = (r: ConsoleUserSession) => `${r.deviceId}/${r.session.id}`;
  const row = rows.find((r) => keyOf(r) === selected) ?? null;
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Signed-in users</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {value && rows.length === 0 && <p>No device reports a signed-in user.</p>}
      {rows.length > 0 && (
        <table aria-label="Signed-in users">
          <thead>
            <tr>
              <th scope="col">Select</th>
              <th scope="col">User</th>
              <th scope="col">Device</th>
              <th scope="col">Session</th>
              <th scope="col">State</th>
              <th scope="col">Kind</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={keyOf(r)}
                aria-selected={keyOf(r) === selected}
                className="selectable"
                onClick={() => setSelected(keyOf(r))}
              >
                <td>
                  <input
                    type="radio"
                    name="session"
                    aria-label={`Select ${r.session.user} on ${r.hostname}`}
                    checked={keyOf(r) === selected}
                    onChange={() => setSelected(keyOf(r))}
                  />
                </td>
                <th scope="row">{r.session.user}</th>
                <td>{r.hostname}</td>
                <td>{r.session.id}</td>
                <td>{r.session.state}</td>
                <td>{r.session.kind}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {row && (
        <AssistancePanel
          key={keyOf(row)}
          target={{ deviceId: row.deviceId, userSessionId: row.session.id }}
          title={`${row.session.user} on ${row.hostname}`}
          availability={row.availability}
        />
      )}
    </section>
  );
}
