/**
 * Remote assistance for the selected device or user session: the three types, each disabled one
 * with its reason in words (the same the relay refuses with), then the result of a request.
 */
import { useState } from 'react';
import type { AssistanceResponse } from '../../../../shared/relay-api';
import type { Availability } from '../../../../shared/policy';
import type { RequestedMode } from '../../../../shared/protocol';
import { consoleApi, message } from '../api';
import { AssistanceResult } from './AssistanceResult';

const TYPES: Array<{ mode: RequestedMode; label: string; hint: string }> = [
  { mode: 'attended', label: 'Attended', hint: 'The user is asked for consent.' },
  { mode: 'unattended', label: 'Unattended', hint: 'Nobody needs to be there: opened with a one-time password.' },
  { mode: 'dynamic', label: 'Dynamic', hint: 'Attended when someone is active, else unattended.' },
];

export interface AssistanceTarget {
  deviceId: string;
  userSessionId?: string;
}

export function AssistancePanel({
  target,
  title,
  availability,
}: {
  target: AssistanceTarget;
  title: string;
  availability: Availability;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ requested: RequestedMode; response: AssistanceResponse } | null>(null);
  const request = async (mode: RequestedMode) => {
    setBusy(true);
    setError(null);
    try {
      setResult({
        requested: mode,
        response: await consoleApi.requestAssistance({ body: { ...target, mode } }),
      });
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="assistance-title">
      <h2 id="assistance-title">Remote assistance: {title}</h2>
      <ul className="assistance-types" role="group" aria-label="Remote assistance">
        {TYPES.map(({ mode, label, hint }) => {
          const { enabled, reason } = availability[mode];
          const described = `why-${mode}`;
          return (
            <li key={mode}>
              <button
                type="button"
                disabled={!enabled || busy}
                aria-describedby={described}
                onClick={() => void request(mode)}
              >
                {label}
              </button>
              <span id={described} className={enabled ? 'muted' : 'reason'}>
                {enabled ? hint : reason}
              </span>
            </li>
          );
        })}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <AssistanceResult key={result.response.sessionId} requested={result.requested} response={result.response} />
      )}
    </section>
  );
}
