/**
 * The indicator's list of file transfers (main keeps it: src/main/host/host-files.ts): each file going to or coming
 * from the operator, with its progress, speed and time left, and a Stop the user can press at any time; ended ones
 * say how they ended (saved as, stopped, failed).
 */
import { useEffect, useState } from 'react';
import { formatBytes, progressWords, type HostTransfer } from '../../shared/file-transfer';

const files = () => window.flxra.host.files;

export function HostTransfers() {
  const [list, setList] = useState<HostTransfer[]>([]);
  useEffect(() => {
    void files()
      .transfers()
      .then(setList)
      .catch(() => undefined);
    return files().onTransfers(setList);
  }, []);
  if (list.length === 0) return null;
  return (
    <ul className="host-transfers" data-testid="host-transfers" aria-label="File transfers">
      {list.map((t) => {
        const percent = t.size > 0 ? Math.floor((t.done * 100) / t.size) : 100;
        const live = t.state === 'running' || t.state === 'paused';
        return (
          <li key={t.id} data-testid="host-transfer" data-state={t.state} data-name={t.name}>
            {t.direction === 'to-device' ? 'Receiving' : 'Sending to the operator'} “{t.name}” ({formatBytes(t.size)})
            <progress max={100} value={percent} aria-label={`${t.name}: ${percent}%`} />
            <span>
              {t.state === 'running'
                ? progressWords(t.speed, t.size - t.done) || `${percent}%`
                : t.state === 'paused'
                  ? 'Waiting for the connection to come back…'
                  : t.message}
            </span>
            {live && (
              <button type="button" onClick={() => void files().stop(t.id)}>
                Stop
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
