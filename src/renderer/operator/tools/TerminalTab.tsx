/**
 * One terminal tab of the tools' panel: xterm.js with the fit addon, its output drawn as it arrives and credited back
 * only once drawn (tools-client.ts), keystrokes and pastes sent as `terminal.input` (a long paste split to the
 * contract's bound), the new size sent whenever the panel resizes, Ctrl+Shift+C / Ctrl+Shift+V and the context menu
 * for copy and paste, a warning for a shell as the agent's account, and a clear "ended" state.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { MAX_INPUT_CHARS } from '../../../shared/tools-protocol';
import { mirrorInlineStyles, styleFreeDocument, withInertStyles } from './adopted-styles';
import { attachTerminal, openTool, tell, useTools, type Tab } from './tools-client';

const SCROLLBACK_LINES = 5000;

function splitInput(data: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < data.length) {
    let end = Math.min(i + MAX_INPUT_CHARS, data.length);
    // Never between the two halves of a surrogate pair.
    if (end < data.length && /[\uD800-\uDBFF]/.test(data[end - 1]!)) end--;
    parts.push(data.slice(i, end));
    i = end;
  }
  return parts;
}

/** Copy and paste through main's clipboard: the page has no clipboard permission. */
const copyText = (text: string) => {
  if (text) void window.flxra.operator.tools.copy(text).catch(() => undefined);
};
const pasteInto = (t: Terminal) =>
  void window.flxra.operator.tools.paste().then(
    (text) => text && t.paste(text),
    () => undefined,
  );

export function TerminalTab({ tab, visible }: { tab: Tab; visible: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const open = tab.state.phase === 'open';
  const endedMessage = tab.state.phase === 'ended' ? tab.state.message : null;
  const live = useRef(false);
  live.current = open;
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const userTerminal = useTools((s) => s.available?.userTerminal);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const t = new Terminal({
      scrollback: SCROLLBACK_LINES,
      convertEol: false,
      fontSize: 13,
      allowProposedApi: false,
      documentOverride: styleFreeDocument(),
    });
    const f = new FitAddon();
    t.loadAddon(f);
    const unmirror = mirrorInlineStyles(el);
    withInertStyles(() => t.open(el));
    term.current = t;
    fit.current = f;
    const input = (data: string) => {
      if (!live.current) return;
      for (const part of splitInput(data)) void tell({ type: 'terminal.input', toolId: tab.toolId, data: part });
    };
    t.onData(input);
    t.attachCustomKeyEventHandler((e) => {
      if (!e.ctrlKey || !e.shiftKey || (e.code !== 'KeyC' && e.code !== 'KeyV')) return true;
      // Not the browser's own paste as well (Ctrl+Shift+V is "paste as plain text" in Chromium).
      e.preventDefault();
      if (e.type !== 'keydown') return false;
      if (e.code === 'KeyC') copyText(t.getSelection());
      else pasteInto(t);
      return false;
    });
    t.onResize(({ cols, rows }) => {
      if (live.current) void tell({ type: 'terminal.resize', toolId: tab.toolId, cols, rows });
    });
    const detach = attachTerminal(tab.toolId, (data, done) => t.write(data, done));
    const observer = new ResizeObserver(() => {
      if (el.offsetWidth > 0 && el.offsetHeight > 0) f.fit();
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      detach();
      t.dispose();
      unmirror();
      term.current = null;
    };
  }, [tab.toolId]);

  // Its size once it opens (the device opened it at the size asked for; the panel may have changed since).
  useEffect(() => {
    const t = term.current;
    if (open && t && fit.current) {
      fit.current.fit();
      void tell({ type: 'terminal.resize', toolId: tab.toolId, cols: t.cols, rows: t.rows });
    }
    if (visible) t?.focus();
  }, [open, visible, tab.toolId]);

  const copy = () => {
    copyText(term.current?.getSelection() ?? '');
    setMenu(null);
  };
  const paste = () => {
    if (term.current) pasteInto(term.current);
    setMenu(null);
  };
  const warnings = tab.state.phase === 'open' ? tab.state.warnings : [];
  const agentShell = tab.state.phase === 'open' && tab.state.account?.kind === 'agent';
  const users = userTerminal?.allowed ? userTerminal.users : [];

  return (
    <div className="tool-terminal" hidden={!visible} data-testid="terminal-tab">
      {tab.state.phase === 'open' && tab.state.account && (
        <p className="muted" data-testid="terminal-account">
          Runs as {tab.state.account.name} (
          {tab.state.account.kind === 'agent' ? "the agent's account" : 'the signed-in user'})
        </p>
      )}
      {warnings.map((w) => (
        <p key={w} className="notice" data-testid="terminal-warning">
          {w}
          {agentShell &&
            users.map((user) => (
              <button key={user} onClick={() => void openTool(tab.tool, { account: { kind: 'user', user } })}>
                Open as the signed-in user ({user})
              </button>
            ))}
        </p>
      ))}
      {tab.state.phase === 'opening' && <p className="muted">Starting the shell…</p>}
      {tab.state.phase === 'refused' && (
        <p className="error" role="alert" data-testid="tool-refused">
          {tab.state.message}
        </p>
      )}
      {endedMessage && (
        <p className="tool-ended" role="status" data-testid="terminal-ended">
          Ended: {endedMessage}
        </p>
      )}
      {tab.problem && (
        <p className="error" role="alert" data-testid="tool-problem">
          {tab.problem}
        </p>
      )}
      <div
        ref={box}
        className={`xterm-box${endedMessage ? ' ended' : ''}`}
        hidden={tab.state.phase === 'refused'}
        onContextMenu={(e) => {
          e.preventDefault();
          setMenu({ x: e.clientX, y: e.clientY });
        }}
      />
      {menu && (
        <div className="context-menu" style={{ left: menu.x, top: menu.y }} onMouseLeave={() => setMenu(null)}>
          <button onClick={copy} disabled={!term.current?.hasSelection()}>
            Copy
          </button>
          <button onClick={paste} disabled={!open}>
            Paste
          </button>
        </div>
      )}
    </div>
  );
}
