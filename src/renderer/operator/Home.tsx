/**
 * The operator's home screen, the one place to start from: "Open activation file…" (the
 * system's dialog, in main), a `.flxra` dropped anywhere on the window (its bytes read here,
 * bounded, and checked in main as a file from disk), the relay's console in the browser, "Ask
 * again" after an assistance for a device is over, and joining by session ID, which says in
 * plain words when an ID can be used at all.
 */
import { useState, type DragEvent, type FormEvent, type ReactNode } from 'react';
import { ACTIVATION_EXTENSION, ACTIVATION_MAX_BYTES } from '../../shared/activation-file';
import type { AskAgain } from '../../shared/ipc';
import { parseSessionId } from '../../shared/protocol';

const api = () => window.flxra.operator;

/** base64 of a file's bytes, as the IPC channel takes them. */
async function fileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function Problem({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p className="error" role="alert" data-testid="home-problem">
      {text}
    </p>
  );
}

/** Joining by ID: only for a device whose user started flxra themselves and reads its ID out. */
function JoinById() {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = parseSessionId(text);
    if (!id) return setError('A session ID is nine digits, as the user reads it from their screen.');
    setError(null);
    api()
      .join(id)
      .catch((err: Error) => setError(err.message));
  };
  return (
    <form className="join-by-id" onSubmit={submit} data-testid="join-form">
      <h2>Or join with a session ID</h2>
      <p className="muted" data-testid="session-id-help">
        A session ID works only when the user opened flxra on their own computer and reads you the nine digits it shows.
        Devices enrolled with your relay are reached through an activation file from the console instead.
      </p>
      <label htmlFor="session-id">Session ID</label>
      <input
        id="session-id"
        inputMode="numeric"
        autoComplete="off"
        placeholder="123 456 789"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit">Join</button>
      <Problem text={error} />
    </form>
  );
}

export function Home(props: {
  notice?: string | undefined;
  again?: AskAgain | undefined;
  header?: ReactNode;
  /** Signed in by the console's link: the relay's key as this app sees it, to compare with the console's. */
  relayFingerprint?: string | undefined;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const failed = (err: Error) => setProblem(err.message);

  const drop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (!file) return;
    if (!file.name.toLowerCase().endsWith(ACTIVATION_EXTENSION))
      return setProblem(`${file.name} is not an activation file: those end in ${ACTIVATION_EXTENSION}.`);
    if (file.size > ACTIVATION_MAX_BYTES)
      return setProblem(`${file.name} is too large to be an activation file (they are a few hundred bytes).`);
    setProblem(null);
    fileBase64(file)
      .then((base64) => api().openDropped(file.name, base64))
      .catch(failed);
  };

  return (
    <main
      className={dragging ? 'page dropping' : 'page'}
      data-testid="home"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
    >
      {props.header}
      <section className="card">
        {props.notice && (
          <p className="notice" role="status" data-testid="operator-notice">
            {props.notice}
          </p>
        )}
        {props.relayFingerprint && (
          <p data-testid="app-relay-fingerprint">
            The relay's key, as this app sees it: <span className="fingerprint">{props.relayFingerprint}</span>. It must
            match the one the console shows.
          </p>
        )}
        {props.again && (
          <div className="actions">
            <button className="primary" onClick={() => void api().askAgain().catch(failed)}>
              Ask again
            </button>
            <span className="muted">A new request to {props.again.deviceName}.</span>
          </div>
        )}
        <h1>Start an assistance</h1>
        <p>
          Request an assistance for a device in the console: it gives you an activation file. Open it here, or drop it
          on this window.
        </p>
        <div className="actions">
          <button className={props.again ? '' : 'primary'} onClick={() => void api().openFile().catch(failed)}>
            Open activation file…
          </button>
          <button onClick={() => void api().openConsole().catch(failed)}>Open the console</button>
        </div>
        <p className="muted drop-hint">{dragging ? 'Drop the file to open it.' : 'Or drop a .flxra file here.'}</p>
        <Problem text={problem} />
        <JoinById />
      </section>
    </main>
  );
}
