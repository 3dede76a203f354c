/**
 * What an assistance request gave: the session ID, the mode (and why, for dynamic), the
 * password once (unattended), the .flxra file to open in the app or "Connect in the browser" (the
 * operator viewer this relay serves, src/renderer/browser/), and, beside them, the operator's
 * portable .exe for a computer without the app (OperatorDownload.tsx), and the assistance's live
 * state, polled from the relay.
 */
import { useEffect, useRef } from 'react';
import type { AssistanceStatus } from '../../../../shared/console-api';
import { formatSessionId, type RequestedMode } from '../../../../shared/protocol';
import type { AssistanceResponse } from '../../../../shared/relay-api';
import { ApiFailure, consoleApi } from '../api';
import { usePolled } from '../polling';
import { LastKnown } from '../RelayBanner';
import { STATUS_WORDS } from '../words';
import { OperatorDownload } from './OperatorDownload';
import { browserAssistanceOf, browserOperatorUrl } from '../../../../shared/browser-operator';

const STATUS_POLL_MS = 1_500;

export function AssistanceResult({ requested, response }: { requested: RequestedMode; response: AssistanceResponse }) {
  const { sessionId, mode, modeReason, password, activation, expiresAt } = response;
  const { value } = usePolled(() => currentStatus(sessionId), STATUS_POLL_MS, sessionId);
  return (
    <section className="result" aria-labelledby="result-title">
      <h3 id="result-title">Assistance requested</h3>
      <dl>
        <dt>Session ID</dt>
        <dd className="session-id">{formatSessionId(sessionId)}</dd>
        <dt>Mode</dt>
        <dd>
          {mode}
          {requested === 'dynamic' && <> (dynamic: {modeReason})</>}
        </dd>
        {password !== undefined && (
          <>
            <dt>Password</dt>
            <dd>
              <span className="secret" aria-label="One-time password">
                {password}
              </span>
              <p className="notice">Enter it when you open the file. It is shown only now and is not shown again.</p>
            </dd>
          </>
        )}
        <dt>State</dt>
        <dd role="status" aria-label="Assistance state">
          {value ? STATUS_WORDS[value.status] : 'Checking…'}
          {value && <LastKnown />}
        </dd>
        <dt>File valid until</dt>
        <dd>{new Date(expiresAt).toLocaleString()}</dd>
      </dl>
      <DownloadButton fileName={activation.fileName} content={activation.content} />
      <ConnectInBrowser response={response} />
      <OperatorDownload />
    </section>
  );
}

/** The relay forgets an assistance once it is over and its file expired: that is what a 404 means here. */
async function currentStatus(sessionId: string): Promise<{ status: AssistanceStatus }> {
  try {
    return await consoleApi.assistance({ params: { sessionId } });
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return { status: 'expired' };
    throw err;
  }
}

/**
 * The operator in the browser: the same viewer, served by this relay, opened on this assistance
 * in a new tab (the file's token in the address's fragment, which no request carries). The relay
 * checks it as it checks a file: once only, the password for unattended, the policy.
 */
function ConnectInBrowser({ response }: { response: AssistanceResponse }) {
  const assistance = browserAssistanceOf(response);
  if (!assistance) return null;
  return (
    <button type="button" onClick={() => window.open(browserOperatorUrl(assistance), '_blank', 'noopener')}>
      Connect in the browser
    </button>
  );
}

/** The .flxra as a download made in the page (a Blob URL): the file never sits on a server path. */
function DownloadButton({ fileName, content }: { fileName: string; content: string }) {
  const urls = useRef<string[]>([]);
  useEffect(() => () => urls.current.forEach((u) => URL.revokeObjectURL(u)), []);
  const download = () => {
    const url = URL.createObjectURL(new Blob([content], { type: 'application/octet-stream' }));
    urls.current.push(url);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
  };
  return (
    <button type="button" className="primary" onClick={download}>
      Download {fileName}
    </button>
  );
}
