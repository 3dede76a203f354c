/**
 * The audit trail (newest first, polled) in words: what happened ("Assistance ended"), who did it
 * ("Alice Admin, admin", a device by its host name, "the relay"), why an assistance ended; and its
 * exports, which keep the codes and which the browser downloads with the session cookie.
 */
import { CONSOLE_ROUTES, consolePath } from '../../../../shared/console-api';
import { consoleApi } from '../api';
import { EndReason } from '../../../../shared/protocol';
import { usePolled } from '../polling';
import { actionWords, actorWords, END_WORDS, resultWords } from '../words';

const SHOWN = 200;
const AUDIT_POLL_MS = 5_000;

export function AuditPage() {
  const { value, error } = usePolled(
    () => consoleApi.audit({ query: { format: 'json', limit: SHOWN } }),
    AUDIT_POLL_MS,
  );
  const entries = value?.entries ?? [];
  // The trail names devices by id; the page shows their host names where it knows them.
  const devices = usePolled(() => consoleApi.devices(), AUDIT_POLL_MS).value?.devices ?? [];
  const hostname = new Map(devices.map((d) => [d.deviceId, d.hostname]));
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <p className="actions">
        <a
          className="button"
          href={consolePath(CONSOLE_ROUTES.audit, {}, { format: 'csv' })}
          download="flxra-audit.csv"
        >
          Export CSV
        </a>
        <a
          className="button"
          href={consolePath(CONSOLE_ROUTES.audit, {}, { format: 'json' })}
          download="flxra-audit.json"
        >
          Export JSON
        </a>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table aria-label="Audit trail">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Device</th>
            <th scope="col">Session</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td title={e.actor.id}>{actorWords(e.actor, (id) => hostname.get(id))}</td>
              <td title={e.action}>{actionWords(e)}</td>
              <td title={e.deviceId ?? undefined}>
                {e.deviceId === null ? '' : (hostname.get(e.deviceId) ?? e.deviceId)}
              </td>
              <td>{e.sessionId ?? ''}</td>
              <td title={e.result}>{resultWords(e.result)}</td>
              <td className="detail">
                {Object.entries(e.detail)
                  .map(([k, v]) => `${k}: ${detailWords(k, v)}`)
                  .join('; ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">The latest {SHOWN} entries; the exports hold all of them. The trail is append-only.</p>
    </section>
  );
}

/** An end reason in words; every other detail as the relay recorded it. */
function detailWords(key: string, value: string | number | boolean): string {
  const reason = key === 'reason' ? EndReason.safeParse(value) : null;
  return reason?.success ? END_WORDS[reason.data] : String(value);
}
