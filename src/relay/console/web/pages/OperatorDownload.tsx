/**
 * Beside an assistance's .flxra: the operator's portable .exe for a Windows computer without the
 * flxra app (it runs without installation, with the operator's rights, and opens the .flxra saved
 * next to it), from the relay's folder of release artifacts, with its file name, size and the
 * SHA-256 the relay computed, so the operator can check what arrived (docs/packaging.md). When
 * the relay offers none, the relay's sentence says why.
 */
import { useEffect, useState } from 'react';
import { CONSOLE_ROUTES, consolePath } from '../../../../shared/console-api';
import type { ReleaseArtifact, ReleaseDownloads } from '../../../../shared/release-artifacts';
import { consoleApi, message } from '../api';
import { CopyButton } from '../CopyButton';

const sizeFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const bytesFormat = new Intl.NumberFormat('en');

export function formatSize(bytes: number): string {
  return `${sizeFormat.format(bytes / (1024 * 1024))} MB (${bytesFormat.format(bytes)} bytes)`;
}

export function OperatorDownload() {
  const [downloads, setDownloads] = useState<ReleaseDownloads | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    consoleApi.downloads().then(
      (d) => live && setDownloads(d),
      (err: unknown) => live && setError(message(err)),
    );
    return () => {
      live = false;
    };
  }, []);
  // The list is newest first within a kind: the first portable .exe is the one to give.
  const portable = downloads?.artifacts.find((a) => a.kind === 'operator-portable-windows');
  return (
    <section className="operator-download" aria-labelledby="operator-download-title">
      <h4 id="operator-download-title">No flxra app on the operator&apos;s computer?</h4>
      {error !== null && <p className="error">The relay&apos;s downloads cannot be listed: {error}</p>}
      {downloads === null && error === null && <p className="muted">Looking for the operator&apos;s .exe…</p>}
      {downloads !== null && !portable && (
        <p className="notice" role="note" aria-label="Operator download">
          {downloads.notice ??
            'This relay offers no flxra operator for Windows (portable .exe): only other downloads are in its folder.'}
        </p>
      )}
      {portable && <PortableExe artifact={portable} />}
    </section>
  );
}

function PortableExe({ artifact }: { artifact: ReleaseArtifact }) {
  const href = consolePath(CONSOLE_ROUTES.download, { fileName: artifact.fileName });
  return (
    <>
      <p className="hint">
        Save it next to the .flxra (in the same folder, such as Downloads) and start it: it runs without installation,
        with your own rights, opens the activation file beside it, and stays on the computer afterwards.
      </p>
      <dl aria-label="Operator download">
        <dt>File</dt>
        <dd>{artifact.fileName}</dd>
        <dt>Size</dt>
        <dd>{formatSize(artifact.size)}</dd>
        <dt>SHA-256</dt>
        <dd>
          <code className="digest" aria-label="SHA-256 of the operator's .exe">
            {artifact.sha256}
          </code>{' '}
          <CopyButton text={artifact.sha256} label="Copy SHA-256" />
        </dd>
      </dl>
      <a className="button" href={href} download={artifact.fileName}>
        Download {artifact.label}
      </a>
    </>
  );
}
