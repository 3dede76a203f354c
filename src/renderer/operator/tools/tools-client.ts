/**
 * The panel's end of the tools' contract (src/shared/tools-protocol.ts), in the page: opens tools and sends their
 * requests through main, reads every stream with a StreamReceiver and grants credit back only once the page consumed
 * what arrived (a terminal: once xterm has drawn it), gathers a request's chunked result and parses it with its
 * schema, and keeps each open tool's state (open, refused, ended and why) for the tabs to draw.
 */
import { create } from 'zustand';
import { StreamReceiver, utf8Length, type StreamLimits } from '../../../shared/tool-streams';
import {
  OUTPUT_STREAM,
  resultSchemaFor,
  type TerminalAccount,
  type ToolEvent,
  type ToolKind,
  type ToolRequest,
  type ToolsAvailable,
} from '../../../shared/tools-protocol';
import type { ToolRefusal, ToolResult } from '../../../shared/tools-results';

const api = () => window.flxra.operator.tools;

export type TabState =
  | { phase: 'opening' }
  | { phase: 'open'; account?: { kind: 'agent' | 'user'; name: string }; warnings: string[] }
  | { phase: 'refused'; message: string }
  | { phase: 'ended'; message: string };

export interface Tab {
  toolId: string;
  tool: ToolKind;
  title: string;
  state: TabState;
  /** The last refusal of a request in this tab (bad input, a process already gone…), in words. */
  problem?: string;
  /** Asked for as a signed-in user (the user-terminal button). */
  asUser?: string;
}

interface ToolsStore {
  available: ToolsAvailable | null;
  tabs: Tab[];
  selected: string | null;
}

export const useTools = create<ToolsStore>(() => ({ available: null, tabs: [], selected: null }));

const TOOL_TITLES: Record<ToolKind, string> = {
  cmd: 'CMD',
  powershell: 'PowerShell',
  registry: 'Registry',
  processes: 'Task manager',
};
export const toolTitle = (tool: ToolKind) => TOOL_TITLES[tool];

function patchTab(toolId: string, patch: Partial<Tab>) {
  useTools.setState((s) => ({ tabs: s.tabs.map((t) => (t.toolId === toolId ? { ...t, ...patch } : t)) }));
}

type Pending = {
  request: Extract<ToolRequest, { requestId: string }>;
  text: string;
  resolve: (r: ToolResult<unknown>) => void;
};

let counter = 0;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** Where a terminal's output goes: `write` calls `done` once it has drawn the text. */
type OutputSink = (data: string, done: () => void) => void;

const limits = new Map<string, StreamLimits>();
const receivers = new Map<string, StreamReceiver>();
const pending = new Map<string, Pending>();
const sinks = new Map<string, OutputSink>();
/** Output that came before its terminal was drawn: handed over (and only then credited) once it is. */
const early = new Map<string, string[]>();

async function send(request: ToolRequest): Promise<string | null> {
  const r = await api().request(request);
  return r.sent ? null : r.message;
}

function credit(toolId: string, receiver: StreamReceiver, bytes: number) {
  const grant = receiver.consumed(bytes);
  if (grant) void send({ type: 'stream.credit', toolId, ...grant });
}

function receiverFor(toolId: string, stream: string): StreamReceiver | undefined {
  const key = `${toolId}/${stream}`;
  let r = receivers.get(key);
  const lim = limits.get(toolId);
  if (!r && lim) receivers.set(key, (r = new StreamReceiver(stream, lim)));
  return r;
}

function ended(toolId: string, message: string) {
  for (const [id, p] of pending)
    if (p.request.toolId === toolId) {
      pending.delete(id);
      p.resolve({ ok: false, refusal: { code: 'not-open', message } });
    }
  patchTab(toolId, { state: { phase: 'ended', message } });
}

function onChunk(e: Extract<ToolEvent, { type: 'stream.chunk' }>) {
  const receiver = receiverFor(e.toolId, e.stream);
  if (!receiver) return;
  const got = receiver.receive(e);
  if (!got.ok) return patchTab(e.toolId, { problem: got.refusal.message });
  const bytes = utf8Length(got.value.data);
  if (e.stream === OUTPUT_STREAM) {
    const sink = sinks.get(e.toolId);
    if (sink) sink(got.value.data, () => credit(e.toolId, receiver, bytes));
    else early.set(e.toolId, [...(early.get(e.toolId) ?? []), got.value.data]);
    return;
  }
  const p = pending.get(e.stream);
  if (!p) return;
  p.text += got.value.data;
  credit(e.toolId, receiver, bytes); // stored: consumed
  if (!got.value.final) return;
  pending.delete(e.stream);
  receivers.delete(`${e.toolId}/${e.stream}`);
  try {
    p.resolve({ ok: true, value: resultSchemaFor(p.request).parse(JSON.parse(p.text)) });
  } catch {
    p.resolve({
      ok: false,
      refusal: { code: 'parse-error', message: 'The device sent an answer the panel cannot read.' },
    });
  }
}

/** Every tool event, from main. */
export function handleToolEvent(e: ToolEvent): void {
  switch (e.type) {
    case 'tool.opened':
      limits.set(e.toolId, { windowBytes: e.windowBytes, maxChunkBytes: e.maxChunkBytes });
      return patchTab(e.toolId, {
        state: { phase: 'open', ...(e.account ? { account: e.account } : {}), warnings: e.warnings },
      });
    case 'tool.refused': {
      const p = e.requestId ? pending.get(e.requestId) : undefined;
      if (p && e.requestId) {
        pending.delete(e.requestId);
        return p.resolve({ ok: false, refusal: { code: e.code, message: e.message } });
      }
      const tab = useTools.getState().tabs.find((t) => t.toolId === e.toolId);
      if (tab?.state.phase === 'opening')
        return patchTab(e.toolId, { state: { phase: 'refused', message: e.message } });
      return patchTab(e.toolId, { problem: e.message });
    }
    case 'stream.chunk':
      return onChunk(e);
    case 'terminal.exit':
      return ended(e.toolId, `The shell ended (exit code ${e.exitCode}).`);
    case 'tool.closed': {
      // Closed by someone (the user, the policy, the end): that is why, though the shell's exit came first.
      const tab = useTools.getState().tabs.find((t) => t.toolId === e.toolId);
      if (tab?.state.phase !== 'ended' || e.reason !== 'shell-exited') ended(e.toolId, e.message);
      return;
    }
  }
}

/** The assistance is over: every tool still open is ended, in words. */
export function endAll(message: string): void {
  for (const t of useTools.getState().tabs)
    if (t.state.phase === 'open' || t.state.phase === 'opening') ended(t.toolId, message);
}

/** A new assistance: no tabs from the last one. */
export function resetTools(): void {
  for (const m of [limits, receivers, pending, sinks, early]) m.clear();
  useTools.setState({ tabs: [], selected: null });
}

export function setAvailable(available: ToolsAvailable | null): void {
  useTools.setState({ available });
}

/** Opens a tool in a new tab. */
export async function openTool(tool: ToolKind, opts: { account?: TerminalAccount; cols?: number; rows?: number } = {}) {
  const toolId = newId(tool);
  const n = useTools.getState().tabs.filter((t) => t.tool === tool).length + 1;
  const asUser = opts.account?.kind === 'user' ? opts.account.user : undefined;
  const title = `${toolTitle(tool)}${tool === 'cmd' || tool === 'powershell' ? ` ${n}` : ''}${asUser ? ` (${asUser})` : ''}`;
  useTools.setState((s) => ({
    tabs: [...s.tabs, { toolId, tool, title, state: { phase: 'opening' }, ...(asUser ? { asUser } : {}) }],
    selected: toolId,
  }));
  const problem = await send({ type: 'tool.open', toolId, tool, ...opts });
  if (problem) patchTab(toolId, { state: { phase: 'refused', message: problem } });
  return toolId;
}

export function selectTab(toolId: string) {
  useTools.setState({ selected: toolId });
}

/** Closes a tab: the tool on the device too, when it is still open. */
export function closeTab(toolId: string) {
  const tab = useTools.getState().tabs.find((t) => t.toolId === toolId);
  if (tab && (tab.state.phase === 'open' || tab.state.phase === 'opening')) void send({ type: 'tool.close', toolId });
  sinks.delete(toolId);
  early.delete(toolId);
  useTools.setState((s) => {
    const tabs = s.tabs.filter((t) => t.toolId !== toolId);
    return { tabs, selected: s.selected === toolId ? (tabs.at(-1)?.toolId ?? null) : s.selected };
  });
}

/** A drawn terminal takes its output from here on (and what came before it). */
export function attachTerminal(toolId: string, sink: OutputSink): () => void {
  sinks.set(toolId, sink);
  const receiver = receivers.get(`${toolId}/${OUTPUT_STREAM}`) ?? receiverFor(toolId, OUTPUT_STREAM);
  for (const data of early.get(toolId) ?? []) sink(data, () => receiver && credit(toolId, receiver, utf8Length(data)));
  early.delete(toolId);
  return () => {
    if (sinks.get(toolId) === sink) sinks.delete(toolId);
  };
}

/** A request without an answer of its own (input, resize): the sentence when it could not be sent. */
export async function tell(request: ToolRequest): Promise<void> {
  const problem = await send(request);
  if (problem) patchTab(request.toolId, { problem });
}

type Ask = ToolRequest extends infer R ? (R extends { requestId: string } ? Omit<R, 'requestId'> : never) : never;

/** A request with a result: its value, or the refusal in words. */
export async function ask<T>(request: Ask): Promise<ToolResult<T>> {
  const requestId = newId('r');
  const full: Extract<ToolRequest, { requestId: string }> = { ...request, requestId };
  const result = new Promise<ToolResult<unknown>>((resolve) =>
    pending.set(requestId, { request: full, text: '', resolve }),
  );
  const problem = await send(full);
  if (problem) {
    pending.delete(requestId);
    return { ok: false, refusal: { code: 'not-open', message: problem } satisfies ToolRefusal };
  }
  return (await result) as ToolResult<T>;
}

export function clearProblem(toolId: string) {
  patchTab(toolId, { problem: undefined });
}
