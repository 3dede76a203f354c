/**
 * The operator's Files panel (the viewer toolbar's Files button, files-store.ts behind it): files to send to the
 * device (picked here, or dropped anywhere on the viewer) go to the user's Downloads folder or the folder chosen in
 * the browser of the device's files; files ticked in that browser are fetched into this computer's Downloads
 * folder. Each transfer shows its progress, speed and time left, and can be cancelled. What the relay does not
 * allow (session:features) is said instead of the controls; so is a device with nobody signed in (no host, so no
 * files channel: only its logon screen) and a connection not up yet.
 */
import { useEffect, useRef, useState } from 'react';
import type { AssistView } from '../../shared/assist-protocol';
import { FILES_NO_USER_SESSION, FILES_NOT_CONNECTED, formatBytes, progressWords } from '../../shared/file-transfer';
import { useSecureDesktopStore } from './SecureDesktopScreen';
import {
  cancelTransfer,
  fetchFiles,
  listFolder,
  noHost,
  sendFiles,
  setTarget,
  useFilesStore,
  type Transfer,
} from './files-store';

function TransferRow({ t }: { t: Transfer }) {
  const percent = t.size > 0 ? Math.floor((t.done * 100) / t.size) : t.state === 'saved' ? 100 : 0;
  const live = t.state === 'running' || t.state === 'waiting' || t.state === 'paused' || t.state === 'hashing';
  const status =
    t.state === 'hashing'
      ? 'Checking…'
      : t.state === 'waiting'
        ? 'Waiting…'
        : t.state === 'running'
          ? progressWords(t.speed, t.size - t.done) || `${percent}%`
          : (t.message ?? t.state);
  return (
    <li className={`file-transfer ${t.state}`} data-testid="file-transfer" data-state={t.state} data-name={t.name}>
      <span className="file-name">
        {t.direction === 'to-device' ? '→' : '←'} {t.name} <small>{formatBytes(t.size)}</small>
      </span>
      <progress max={100} value={percent} aria-label={`${t.name}: ${percent}%`} />
      <span className="file-status" data-testid="file-status">
        {status}
      </span>
      {live && (
        <button type="button" onClick={() => cancelTransfer(t.id)} aria-label={`Cancel ${t.name}`}>
          Cancel
        </button>
      )}
    </li>
  );
}

function DeviceBrowser({ canFetch, canSend }: { canFetch: boolean; canSend: boolean }) {
  const { listing, listProblem, target } = useFilesStore();
  const [ticked, setTicked] = useState<string[]>([]);
  const [goTo, setGoTo] = useState('');
  useEffect(() => {
    if (!listing) listFolder();
  }, [listing]);
  useEffect(() => setTicked([]), [listing?.path]);
  const join = (name: string) => (listing!.path.endsWith('/') || listing!.path.endsWith('\\') ? '' : sep()) + name;
  const sep = () => (listing!.path.includes('\\') ? '\\' : '/');
  return (
    <div className="device-browser" data-testid="device-browser">
      <form
        className="device-go"
        onSubmit={(e) => {
          e.preventDefault();
          if (goTo.trim()) listFolder(goTo.trim());
        }}
      >
        <input
          aria-label="Folder on the device"
          placeholder="A folder on the device"
          value={goTo}
          onChange={(e) => setGoTo(e.target.value)}
        />
        <button type="submit">Open</button>
      </form>
      {listProblem && (
        <p className="error" data-testid="device-list-problem">
          {listProblem}
        </p>
      )}
      {listing && (
        <>
          <p className="device-path" data-testid="device-path">
            {listing.parent !== null && (
              <button type="button" onClick={() => listFolder(listing.parent!)} aria-label="Up one folder">
                ↑
              </button>
            )}{' '}
            {listing.path}
          </p>
          <ul className="device-entries">
            {listing.entries.map((e) => (
              <li key={e.name}>
                {e.dir ? (
                  <button type="button" className="folder" onClick={() => listFolder(listing.path + join(e.name))}>
                    📁 {e.name}
                  </button>
                ) : (
                  <label>
                    <input
                      type="checkbox"
                      disabled={!canFetch}
                      checked={ticked.includes(e.name)}
                      onChange={(ev) =>
                        setTicked((t) => (ev.target.checked ? [...t, e.name] : t.filter((n) => n !== e.name)))
                      }
                    />
                    {e.name} <small>{formatBytes(e.size)}</small>
                  </label>
                )}
              </li>
            ))}
          </ul>
          {listing.more > 0 && <p>…and {listing.more} more not shown.</p>}
          <div className="device-actions">
            <button
              type="button"
              disabled={!canFetch || ticked.length === 0}
              onClick={() => {
                fetchFiles(ticked.map((n) => listing.path + join(n)));
                setTicked([]);
              }}
            >
              Fetch {ticked.length > 0 ? ticked.length : ''} from the device
            </button>
            {canSend && (
              <button type="button" onClick={() => setTarget(target === listing.path ? null : listing.path)}>
                {target === listing.path ? 'Send to Downloads instead' : 'Send files to this folder'}
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}

export function FilesPanel({ view }: { view: AssistView }) {
  const { transfers, target, channelUp, channelSeen } = useFilesStore();
  const secureUp = useSecureDesktopStore((s) => s.up);
  const input = useRef<HTMLInputElement>(null);
  const files = view.features?.files;
  if (!files) return <p>Files can be transferred once the assistance is active.</p>;
  const { toDevice, fromDevice } = files;
  const list = transfers.length > 0 && (
    <ul className="file-transfers" data-testid="file-transfers">
      {transfers.map((t) => (
        <TransferRow key={t.id} t={t} />
      ))}
    </ul>
  );
  if (noHost(secureUp, { channelUp, channelSeen }))
    return (
      <div className="files-panel" data-testid="files-panel">
        <p role="status" data-testid="files-no-host">
          {FILES_NO_USER_SESSION}
        </p>
        {list}
      </div>
    );
  return (
    <div className="files-panel" data-testid="files-panel">
      <section>
        {toDevice.allowed ? (
          <>
            <p data-testid="files-target">
              Files go to {target ? target : "the user's Downloads folder"}. Drop them on the screen, or{' '}
              <button type="button" onClick={() => input.current?.click()}>
                choose files…
              </button>
            </p>
            <input
              ref={input}
              type="file"
              multiple
              hidden
              data-testid="files-input"
              onChange={(e) => {
                sendFiles([...(e.target.files ?? [])]);
                e.target.value = '';
              }}
            />
          </>
        ) : (
          <p data-testid="files-to-device-refused">{toDevice.reason}</p>
        )}
        {!fromDevice.allowed && <p data-testid="files-from-device-refused">{fromDevice.reason}</p>}
      </section>
      {list}
      {channelUp ? (
        // Mounted once the channel is up, so that its first listing goes (and is not lost before).
        <DeviceBrowser canFetch={fromDevice.allowed} canSend={toDevice.allowed} />
      ) : (
        <p data-testid="files-not-connected">{FILES_NOT_CONNECTED}</p>
      )}
    </div>
  );
}
