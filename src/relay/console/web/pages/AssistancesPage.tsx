/**
 * The live and recent assistances (polled): device, operator, mode, state in words (their
 * lifecycle's, as the relay reads it) and since when; an administrator ends a live one, after
 * confirming, and both its sides are told.
 */
import { useState } from 'react';
import type { ListedAssistance } from '../../../../shared/console-api';
import { formatSessionId } from '../../../../shared/protocol';
import { consoleApi, message } from '../api';
import { usePolled } from '../polling';
import { LastKnown } from '../RelayBanner';
import { END_WORDS, STATUS_WORDS } from '../words';
import { LIST_POLL_MS } from './DevicesPage';

export function AssistancesPage({ admin }: { admin: boolean }) {
  const { value, error } = usePolled(() => consoleApi.assistances(), LIST_POLL_MS);
  const [note, setNote] = useState<string | null>(null);
  const rows = value?.assistances ?? [];
  const end = (a: ListedAssistance) => {
    if (!window.confirm(`End the assistance on ${a.deviceName} by ${a.operator.name}? Both of them are told.`)) return;
    consoleApi.endAssistance({ params: { sessionId: a.sessionId } }).then(
      () => setNote(`The assistance on ${a.deviceName} was ended.`),
      (err: unknown) => setNote(message(err)),
    );
  };
  return (
    <section aria-labelledby="assistances-title">
      <h1 id="assistances-title">Assistances</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {value && rows.length === 0 && <p>No assistance is running or recent.</p>}
      {rows.length > 0 && (
        <table aria-label="Assistances">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Operator</th>
              <th scope="col">Mode</th>
              <th scope="col">State</th>
              <th scope="col">Since</th>
              <th scope="col">Session</th>
              {admin && <th scope="col">End</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.sessionId}>
                <th scope="row" title={a.deviceId}>
                  {a.deviceName}
                </th>
                <td>{a.operator.name}</td>
                <td>{a.mode}</td>
                <td className={a.live ? 'live-state' : undefined}>
                  {STATUS_WORDS[a.status]}
                  {a.endReason !== null && a.status !== 'declined' && <>: {END_WORDS[a.endReason]}</>}
                  {a.live && <LastKnown />}
                </td>
                <td>{new Date(a.endedAt ?? a.requestedAt).toLocaleString()}</td>
                <td className="session-id">{formatSessionId(a.sessionId)}</td>
                {admin && (
                  <td>
                    {a.live && (
                      <button
                        type="button"
                        className="danger"
                        aria-label={`End the assistance on ${a.deviceName}`}
                        onClick={() => end(a)}
                      >
                        End
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {note && <p role="status">{note}</p>}
      <p className="muted">
        Ended assistances stay listed until their file has expired. Ending one stops the operator’s view and control at
        once and tells the user at the device.
      </p>
    </section>
  );
}
