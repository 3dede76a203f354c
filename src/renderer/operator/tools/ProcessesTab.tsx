/**
 * The task manager tab: the device's processes (PID, name, user, CPU %, memory, start time, command line) asked for
 * every 2 s while the tab is shown, sorted by any column, filtered by text, and a process or its whole tree ended
 * after a confirmation; a refusal (a process already gone, access denied) is shown in words and changes nothing.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ProcessInfo, ProcessKilled, ProcessList } from '../../../shared/tools-results';
import { ask, type Tab } from './tools-client';
import { COLUMNS, compareRows, formatBytes, type Column } from './process-rows';
import { ToolMessages } from './ToolMessages';

export const REFRESH_MS = 2_000;

export function ProcessesTab({ tab, visible }: { tab: Tab; visible: boolean }) {
  const [list, setList] = useState<ProcessList | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: Column; down: boolean }>({ key: 'cpuPercent', down: true });
  const [confirm, setConfirm] = useState<{ process: ProcessInfo; tree: boolean } | null>(null);
  const open = tab.state.phase === 'open';

  useEffect(() => {
    if (!open || !visible) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = async () => {
      const r = await ask<ProcessList>({ type: 'processes.list', toolId: tab.toolId });
      if (stopped) return;
      if (r.ok) {
        setList(r.value);
        setProblem(null);
      } else setProblem(r.refusal.message);
      timer = setTimeout(() => void refresh(), REFRESH_MS);
    };
    void refresh();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [open, visible, tab.toolId]);

  const rows = useMemo(() => {
    const text = filter.trim().toLowerCase();
    const shown = (list?.processes ?? []).filter(
      (p) =>
        !text || String(p.pid) === text || [p.name, p.user, p.commandLine].some((v) => v?.toLowerCase().includes(text)),
    );
    shown.sort((a, b) => compareRows(a, b, sort.key, sort.down));
    return shown;
  }, [list, filter, sort]);

  const end = async () => {
    if (!confirm) return;
    const { process, tree } = confirm;
    setConfirm(null);
    const r = await ask<ProcessKilled>({ type: 'processes.kill', toolId: tab.toolId, pid: process.pid, tree });
    if (!r.ok) return setProblem(r.refusal.message);
    setProblem(null);
    const left = r.value.notEnded.length
      ? ` ${r.value.notEnded.length} could not be ended: ${r.value.notEnded.join(', ')}.`
      : '';
    setNotice(
      `Ended ${r.value.name} (PID ${r.value.pid})${r.value.ended.length > 1 ? ` and ${r.value.ended.length - 1} more` : ''}.${left}`,
    );
    setList((l) => l && { ...l, processes: l.processes.filter((p) => !r.value.ended.includes(p.pid)) });
  };

  return (
    <div className="tool-processes" hidden={!visible} data-testid="task-manager">
      <div className="tool-toolbar">
        <input
          aria-label="Filter processes"
          placeholder="Filter by name, user, PID or command line"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="muted">{list ? `${rows.length} of ${list.processes.length}` : 'Loading…'}</span>
      </div>
      <ToolMessages state={tab.state} problem={problem} notice={notice} />
      {list?.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
      {confirm && (
        <div className="confirm" role="alertdialog" aria-label="Confirm ending the process">
          <p>
            End {confirm.process.name} (PID {confirm.process.pid}){confirm.tree ? ' and every process it started' : ''}?
            Unsaved work in it is lost.
          </p>
          <button className="danger" onClick={() => void end()}>
            {confirm.tree ? 'End the tree' : 'End the process'}
          </button>
          <button onClick={() => setConfirm(null)}>Cancel</button>
        </div>
      )}
      <div className="table-scroll">
        <table className="processes">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.key} aria-sort={sort.key === c.key ? (sort.down ? 'descending' : 'ascending') : 'none'}>
                  <button
                    onClick={() =>
                      setSort((s) => ({
                        key: c.key,
                        down: s.key === c.key ? !s.down : c.key === 'cpuPercent' || c.key === 'memoryBytes',
                      }))
                    }
                  >
                    {c.label}
                  </button>
                </th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.pid} data-pid={p.pid}>
                <td>{p.pid}</td>
                <td>{p.name}</td>
                <td>{p.user ?? ''}</td>
                <td>{p.cpuPercent === null ? '' : p.cpuPercent.toFixed(1)}</td>
                <td>{formatBytes(p.memoryBytes)}</td>
                <td>{p.startTime ? new Date(p.startTime).toLocaleString() : ''}</td>
                <td className="cmdline" title={p.commandLine ?? ''}>
                  {p.commandLine ?? ''}
                </td>
                <td className="row-actions">
                  <button disabled={!open} onClick={() => setConfirm({ process: p, tree: false })}>
                    End
                  </button>
                  <button disabled={!open} onClick={() => setConfirm({ process: p, tree: true })}>
                    End tree
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
