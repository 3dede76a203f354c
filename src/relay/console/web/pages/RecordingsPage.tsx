/**
 * Recordings (administrators): the sessions the policy required to be recorded, and for the one
 * chosen, whether its audited chain is intact (each chunk's state: intact, expired (audited),
 * changed, reordered, removed…), its video (a part's intact chunks as one WebM) and its input
 * timeline (pointer events, non-printable keys by name, printable keys as counts).
 */
import { useEffect, useRef, useState } from 'react';
import { CONSOLE_ROUTES, consolePath } from '../../../../shared/console-api';
import { CHUNK_STATUS_WORDS, type RecordedInput, type RecordingDetail } from '../../../../shared/recording';
import { consoleApi } from '../api';
import { usePolled } from '../polling';

export function RecordingsPage() {
  const { value, error } = usePolled(() => consoleApi.recordings(), 10_000);
  const [chosen, setChosen] = useState<string | null>(null);
  const recordings = value?.recordings ?? [];
  return (
    <section aria-labelledby="recordings-title">
      <h1 id="recordings-title">Recordings</h1>
      {error && <p className="error">{error}</p>}
      {recordings.length === 0 ? (
        <p className="muted">No recording is kept: sessions are recorded where the policy&apos;s Recording is on.</p>
      ) : (
        <table data-testid="recordings">
          <thead>
            <tr>
              <th>Session</th>
              <th>Operator</th>
              <th>Started</th>
              <th>Chunks</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {recordings.map((r) => (
              <tr key={r.sessionId}>
                <td>{r.sessionId}</td>
                <td>{r.operator}</td>
                <td>{new Date(r.startedAt).toLocaleString()}</td>
                <td>{r.chunks}</td>
                <td>
                  <button onClick={() => setChosen(r.sessionId)}>Play {r.sessionId}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {chosen && <Recording sessionId={chosen} key={chosen} />}
    </section>
  );
}

function Recording({ sessionId }: { sessionId: string }) {
  const [detail, setDetail] = useState<RecordingDetail | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    consoleApi.recording({ params: { sessionId } }).then(setDetail, (err: unknown) => setProblem(String(err)));
  }, [sessionId]);
  if (problem) return <p className="error">{problem}</p>;
  if (!detail) return <p className="muted">Checking the recording…</p>;
  const part = detail.playableParts[0];
  return (
    <article data-testid="recording" aria-label={`Recording of session ${sessionId}`}>
      <h2>Session {sessionId}</h2>
      <p data-testid="chain-status" data-intact={String(detail.intact)} className={detail.intact ? '' : 'error'}>
        {detail.intact
          ? 'The chain is intact: every chunk matches the audit trail (or expired by retention, audited).'
          : 'The chain is broken: chunks were removed, reordered or changed since they were recorded.'}
      </p>
      {part === undefined ? (
        <p className="muted">Nothing of this recording can be played: its beginning is not intact.</p>
      ) : (
        <Video src={consolePath(CONSOLE_ROUTES.recordingVideo, { sessionId }, { part })} />
      )}
      <table data-testid="chunks">
        <thead>
          <tr>
            <th>Chunk</th>
            <th>Part</th>
            <th>Recorded</th>
            <th>Bytes</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {detail.chunkList.map((c) => (
            <tr key={c.seq} data-status={c.status}>
              <td>{c.seq}</td>
              <td>{c.part}</td>
              <td>{c.at ? new Date(c.at).toLocaleTimeString() : ''}</td>
              <td>{c.bytes}</td>
              <td>{CHUNK_STATUS_WORDS[c.status]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Input timeline</h3>
      <ol data-testid="timeline">
        {detail.timeline.map((e, i) => (
          <li key={i} data-kind={e.kind}>
            {(e.t / 1000).toFixed(1)} s (part {e.part}): {inputWords(e)}
          </li>
        ))}
      </ol>
    </article>
  );
}

/** The video; a MediaRecorder WebM has no duration in its header, so it is found by seeking to the end once. */
function Video({ src }: { src: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    const onMeta = () => {
      if (video.duration !== Infinity) return;
      const back = () => {
        video.removeEventListener('durationchange', back);
        video.currentTime = 0;
      };
      video.addEventListener('durationchange', back);
      video.currentTime = Number.MAX_SAFE_INTEGER;
    };
    video.addEventListener('loadedmetadata', onMeta);
    return () => video.removeEventListener('loadedmetadata', onMeta);
  }, [src]);
  return <video ref={ref} src={src} controls muted preload="auto" data-testid="recording-video" />;
}

function inputWords(e: RecordedInput): string {
  switch (e.kind) {
    case 'pointer':
      return `pointer ${e.type} at ${Math.round(e.x * 100)} %, ${Math.round(e.y * 100)} %${e.button === undefined ? '' : ` (button ${e.button})`}`;
    case 'key':
      return `key ${e.key} ${e.type}`;
    case 'typed':
      return `${e.count} character key${e.count === 1 ? '' : 's'} typed`;
  }
}
