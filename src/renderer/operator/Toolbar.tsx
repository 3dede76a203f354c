/**
 * The viewer's toolbar, out of the way until wanted: collapsible to one button, reachable from the
 * keyboard (Tab, or Ctrl+Alt+Shift+T from the remote screen, which that combination never reaches).
 * Fit to window / 100 % / full screen; the access mode, with "Request control" while the user
 * allows view only; the monitor picker (MonitorPicker.tsx); the special keys; the panels
 * (clipboard, chat: viewer-panels.tsx); the ticket and notes; the connection's quality and path;
 * Leave session (which ends it). Request control, the monitor picker and the special keys are the
 * policy's (session:features): shown disabled, with the reason, where it says no.
 */
import { useEffect, useState } from 'react';
import type { AccessMode } from '../../shared/protocol';
import { pathText } from '../../shared/peer-path';
import { qualityText } from '../../shared/peer-quality';
import { permission, type Permission } from './feature-permission';
import { MonitorPicker } from './MonitorPicker';
import { PictureChoice } from './PictureChoice';
import { NotesForm } from './NotesForm';
import { SpecialKeys } from './SpecialKeys';
import { useOperatorStore } from './store';
import type { PanelContext, ViewerPanel, ViewerPanelId } from './viewer-panels';
import { useViewerStore } from './viewer-store';

const api = () => window.flxra.operator;

/** The one combination the remote screen keeps for itself: it opens and focuses the toolbar. */
export function isToolbarShortcut(e: KeyboardEvent): boolean {
  return e.code === 'KeyT' && e.ctrlKey && e.altKey && e.shiftKey;
}

export function focusToolbar(): void {
  useViewerStore.getState().setToolbarOpen(true);
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid="viewer-toolbar"] button')?.focus());
}

function ViewControls() {
  const size = useViewerStore((s) => s.size);
  const setSize = useViewerStore((s) => s.setSize);
  const [full, setFull] = useState(false);
  useEffect(() => {
    const onChange = () => setFull(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  const toggleFull = () =>
    void (document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen()).catch(
      () => undefined,
    );
  return (
    <span className="toolbar-group" role="group" aria-label="Size">
      <button aria-pressed={size === 'fit'} onClick={() => setSize('fit')}>
        Fit to window
      </button>
      <button aria-pressed={size === 'actual'} onClick={() => setSize('actual')}>
        100 %
      </button>
      <button aria-pressed={full} onClick={toggleFull}>
        {full ? 'Leave full screen' : 'Full screen'}
      </button>
    </span>
  );
}

function AccessControl({ mode, live, allowed }: { mode: AccessMode; live: boolean; allowed: Permission }) {
  const asked = useViewerStore((s) => s.controlAsked);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (mode === 'control') useViewerStore.getState().setControlAsked(false);
  }, [mode]);
  // Worded apart from the bar's own sentence ("View only: …", "You have control"), which says why.
  if (mode === 'control') return <span data-testid="toolbar-mode">Controlling</span>;
  const ask = () => {
    setProblem(null);
    void api()
      .viewer.requestControl()
      .then((r) => {
        if (!r.sent) return setProblem(r.message);
        useViewerStore.getState().setControlAsked(true);
        useViewerStore.getState().markUsed('Request control');
      })
      .catch((err: Error) => setProblem(err.message));
  };
  return (
    <span className="toolbar-group" data-testid="toolbar-mode">
      Viewing{' '}
      {asked ? (
        <span role="status">Asked the user for control…</span>
      ) : (
        <button
          disabled={!live || !allowed.allowed}
          title={allowed.allowed ? undefined : allowed.reason}
          data-testid="request-control"
          onClick={ask}
        >
          Request control
        </button>
      )}
      {problem && (
        <span className="error" role="alert">
          {problem}
        </span>
      )}
    </span>
  );
}

function Quality() {
  const quality = useViewerStore((s) => s.quality);
  const path = useOperatorStore((s) => s.path);
  return (
    <span
      className="toolbar-group quality"
      data-testid="connection-quality"
      data-fps={quality?.fps ?? ''}
      data-kbps={quality?.kbps ?? ''}
      data-rtt={path?.rttMs ?? ''}
      title={pathText(path)}
    >
      {qualityText(quality, path?.rttMs ?? null)} · {path ? (path.route === 'direct' ? 'direct' : 'through TURN') : '—'}
    </span>
  );
}

export interface ToolbarProps {
  mode: AccessMode;
  /** The picture arrives: control is real only then. */
  live: boolean;
  panels: ViewerPanel[];
  /** What the panels draw from; null until main has told the assistance's view. */
  assist: PanelContext | null;
  openPanel: ViewerPanelId | 'notes' | null;
  onPanel: (panel: ViewerPanelId | 'notes' | null) => void;
}

/** The registered panels with a button now: allowed by the relay, or open (it says why it is not any more). */
export function shownPanels(panels: ViewerPanel[], assist: PanelContext | null, openPanel: string | null) {
  if (!assist) return [];
  return panels.filter((p) => p.allowed(assist.view) || p.id === openPanel);
}

export function Toolbar({ mode, live, panels, assist, openPanel, onPanel }: ToolbarProps) {
  const open = useViewerStore((s) => s.toolbarOpen);
  const setOpen = useViewerStore((s) => s.setToolbarOpen);
  const toggle = (id: ViewerPanelId | 'notes') => onPanel(openPanel === id ? null : id);
  const features = assist?.view.features;
  if (!open)
    return (
      <div className="viewer-toolbar collapsed" data-testid="viewer-toolbar">
        <button aria-label="Show the toolbar" aria-expanded={false} onClick={() => setOpen(true)}>
          ▾ Toolbar
        </button>
      </div>
    );
  return (
    <div className="viewer-toolbar" role="toolbar" aria-label="Viewer" data-testid="viewer-toolbar">
      <button aria-label="Hide the toolbar" aria-expanded={true} onClick={() => setOpen(false)}>
        ▴
      </button>
      <ViewControls />
      <AccessControl mode={mode} live={live} allowed={permission(features, 'controlRequest')} />
      <MonitorPicker allowed={permission(features, 'otherDisplays')} />
      <PictureChoice />
      <SpecialKeys controlling={live && mode === 'control'} allowed={permission(features, 'specialKeys')} />
      {shownPanels(panels, assist, openPanel).map(({ id, label, Unread }) => (
        <button key={id} aria-pressed={openPanel === id} onClick={() => toggle(id)}>
          {label}
          {Unread && assist && <Unread {...assist} open={openPanel === id} />}
        </button>
      ))}
      <button aria-pressed={openPanel === 'notes'} onClick={() => toggle('notes')}>
        Ticket and notes
      </button>
      <Quality />
      <button className="danger" title="End the session" onClick={() => void api().leave()}>
        Leave session
      </button>
    </div>
  );
}

/** The open panel's slot beside the remote screen (notes, or a registered panel). */
export function PanelSlot({
  panels,
  assist,
  openPanel,
}: {
  panels: ViewerPanel[];
  assist: PanelContext | null;
  openPanel: ViewerPanelId | 'notes' | null;
}) {
  if (openPanel === null) return null;
  const panel = panels.find((p) => p.id === openPanel);
  return (
    <aside className="viewer-panel" data-testid={`panel-${openPanel}`}>
      {openPanel === 'notes' ? <NotesForm /> : assist && panel?.render(assist)}
    </aside>
  );
}
