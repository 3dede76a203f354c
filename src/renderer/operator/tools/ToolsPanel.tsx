/**
 * The Flexxible Tools' side panel, beside the remote screen in the operator's window (which keeps working and resizes
 * while the panel is open; the panel collapses to a strip). It offers the tools the relay said this operator may use
 * here (tools:available), each refused one with its reason, and shows nothing at all until that list arrives. Tools
 * open as tabs (several terminals at once); the assistance's end leaves every tab in a clear "ended" state.
 */
import { useState } from 'react';
import type { ToolKind } from '../../../shared/tools-protocol';
import { ProcessesTab } from './ProcessesTab';
import { RegistryTab } from './RegistryTab';
import { TerminalTab } from './TerminalTab';
import './tools.css';
import { useOperatorStore } from '../store';
import {
  closeTab,
  endAll,
  handleToolEvent,
  openTool,
  resetTools,
  selectTab,
  setAvailable,
  toolTitle,
  useTools,
  type Tab,
} from './tools-client';

const ORDER: ToolKind[] = ['cmd', 'powershell', 'registry', 'processes'];
const tools = () => window.flxra.operator.tools;

/**
 * Main's tool events and list, from the moment the operator window is up (events may precede the panel), and the
 * session's end: every tab still open is ended, a new assistance starts with none.
 */
export function startTools(): void {
  tools().onEvent(handleToolEvent);
  tools().onAvailable((a) => setAvailable(a));
  void tools()
    .available()
    .then((a) => useTools.getState().available === null && setAvailable(a));
  let active = useOperatorStore.getState().session.status === 'active';
  useOperatorStore.subscribe(({ session }) => {
    const now = session.status === 'active';
    if (now === active) return;
    active = now;
    if (now) resetTools();
    else endAll('The assistance ended.');
  });
}

function TabBody({ tab, visible }: { tab: Tab; visible: boolean }) {
  if (tab.tool === 'processes') return <ProcessesTab tab={tab} visible={visible} />;
  if (tab.tool === 'registry') return <RegistryTab tab={tab} visible={visible} />;
  return <TerminalTab tab={tab} visible={visible} />;
}

const phaseMark = (tab: Tab) =>
  tab.state.phase === 'ended' ? ' (ended)' : tab.state.phase === 'refused' ? ' (refused)' : '';

export function ToolsPanel() {
  const available = useTools((s) => s.available);
  const tabs = useTools((s) => s.tabs);
  const selected = useTools((s) => s.selected);
  const [collapsed, setCollapsed] = useState(false);

  // No tool allowed (a role without the tools): no panel, unless tabs of this assistance are still there to show.
  if (!available || (!available.tools.some((t) => t.allowed) && tabs.length === 0)) return null;
  if (collapsed)
    return (
      <aside className="tools-panel collapsed" aria-label="Tools">
        <button aria-label="Show the tools" onClick={() => setCollapsed(false)}>
          ◂ Tools
        </button>
      </aside>
    );
  const byKind = new Map(available.tools.map((t) => [t.tool, t]));
  return (
    <aside className="tools-panel" aria-label="Tools" data-testid="tools-panel">
      <header className="tools-head">
        <strong>Tools</strong>
        <div className="tools-open">
          {ORDER.map((kind) => {
            const a = byKind.get(kind);
            if (!a) return null;
            return (
              <button
                key={kind}
                disabled={!a.allowed}
                title={a.allowed ? `Open ${toolTitle(kind)}` : a.reason}
                onClick={() => void openTool(kind, { cols: 80, rows: 24 })}
              >
                {toolTitle(kind)}
              </button>
            );
          })}
        </div>
        <button aria-label="Hide the tools" onClick={() => setCollapsed(true)}>
          ▸
        </button>
      </header>
      {available.tools
        .filter((t) => !t.allowed)
        .map((t) => (
          <p key={t.tool} className="muted" data-testid={`tool-not-allowed-${t.tool}`}>
            {toolTitle(t.tool)}: {!t.allowed && t.reason}
          </p>
        ))}
      {tabs.length > 0 && (
        <div role="tablist" className="tool-tabs">
          {tabs.map((t) => (
            <span key={t.toolId} className={`tool-tab${t.toolId === selected ? ' selected' : ''}`}>
              <button role="tab" aria-selected={t.toolId === selected} onClick={() => selectTab(t.toolId)}>
                {t.title}
                {phaseMark(t)}
              </button>
              <button aria-label={`Close ${t.title}`} onClick={() => closeTab(t.toolId)}>
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      <div className="tool-body">
        {tabs.map((t) => (
          <TabBody key={t.toolId} tab={t} visible={t.toolId === selected} />
        ))}
      </div>
    </aside>
  );
}

/** After the assistance: what was open, each ended (the panel itself goes with the session's screen). */
export function EndedTools() {
  const tabs = useTools((s) => s.tabs);
  if (tabs.length === 0) return null;
  return (
    <ul className="ended-tools" aria-label="Tools of the assistance" data-testid="ended-tools">
      {tabs.map((t) => (
        <li key={t.toolId}>
          {t.title}: {t.state.phase === 'ended' || t.state.phase === 'refused' ? t.state.message : 'ended.'}
        </li>
      ))}
    </ul>
  );
}
