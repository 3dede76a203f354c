/**
 * The tools of one assistance on the device, socket-free: each request from the panel (tools-protocol.ts) goes in,
 * the events to send come out through `send`, as the agent will carry them over its own connection. It keeps which
 * tools are open, puts terminal output and every result on a credit-limited stream (tool-streams.ts), answers a
 * message for a tool that is not open with a refusal, and ends everything at once when the assistance ends
 * (`closeAll`, every shell's process tree gone within 2 s). Policy is not decided here: the relay checks every
 * request before it reaches the device.
 */
import {
  OUTPUT_STREAM,
  type ToolCloseReason,
  type ToolEvent,
  type ToolId,
  type ToolKind,
  type ToolRequest,
} from '../../shared/tools-protocol.js';
import { DEFAULT_STREAM_LIMITS, StreamSender, type StreamChunk, type StreamLimits } from '../../shared/tool-streams.js';
import type { ToolRefusal, ToolResult } from '../../shared/tools-results.js';
import type { ToolBackends } from './index.js';
import { runRegistryOp } from './registry/backend.js';
import type { Terminal } from './terminal/backend.js';
import { streamTerminal, type TerminalStream } from './terminal/terminal-stream.js';

export interface ToolHostOptions {
  backends: ToolBackends;
  send: (event: ToolEvent) => void;
  limits?: StreamLimits;
  /** A user's shell opens on that user's desktop: the variables for it (see TerminalRequest.desktop). */
  desktop?: Record<string, string>;
}

/** Bounds on what one assistance may hold open on the device. */
export const MAX_OPEN_TOOLS = 16;
export const MAX_PENDING_RESULTS = 8;

interface OpenTool {
  kind: ToolKind;
  terminal?: { terminal: Terminal; stream: TerminalStream };
  /** Results still being sent, by request ID. */
  results: Map<string, StreamSender>;
}

const CLOSE_MESSAGES: Record<ToolCloseReason, string> = {
  'closed-by-operator': 'Closed.',
  'closed-by-user': 'The user at the device closed this tool.',
  'shell-exited': 'The shell ended.',
  'policy-changed': 'The policy no longer allows this tool.',
  'assistance-ended': 'The assistance ended.',
};

export function createToolHost({ backends, send, limits = DEFAULT_STREAM_LIMITS, desktop }: ToolHostOptions) {
  const tools = new Map<ToolId, OpenTool>();

  const refused = (toolId: ToolId, refusal: ToolRefusal, requestId?: string) =>
    send({ type: 'tool.refused', toolId, ...(requestId ? { requestId } : {}), ...refusal });
  const notOpen = (toolId: ToolId, requestId?: string) =>
    refused(toolId, { code: 'not-open', message: 'This tool is not open on the device (any more).' }, requestId);
  const chunks = (toolId: ToolId, list: StreamChunk[]) =>
    list.forEach((c) => send({ type: 'stream.chunk', toolId, ...c }));

  /** A request's result as JSON on its own stream, or its refusal. */
  const answer = (toolId: ToolId, requestId: string, result: ToolResult<unknown>) => {
    const tool = tools.get(toolId);
    if (!tool) return;
    if (!result.ok) return refused(toolId, result.refusal, requestId);
    const sender = new StreamSender(requestId, limits);
    chunks(toolId, sender.write(JSON.stringify(result.value)).concat(sender.end()));
    if (!sender.finished) tool.results.set(requestId, sender);
  };

  async function open(request: Extract<ToolRequest, { type: 'tool.open' }>) {
    const { toolId, tool: kind } = request;
    if (tools.has(toolId)) return refused(toolId, { code: 'already-open', message: 'This tool is already open.' });
    if (tools.size >= MAX_OPEN_TOOLS)
      return refused(toolId, { code: 'bad-input', message: `At most ${MAX_OPEN_TOOLS} tools can be open at once.` });
    const entry: OpenTool = { kind, results: new Map() };
    let opened: Extract<ToolEvent, { type: 'tool.opened' }> = {
      type: 'tool.opened',
      toolId,
      tool: kind,
      warnings: [],
      ...limits,
    };
    if (kind === 'cmd' || kind === 'powershell') {
      // Held while the shell starts, so that a second open of the same ID is refused meanwhile.
      tools.set(toolId, entry);
      const r = await backends.terminals.open({
        slot: kind,
        account: request.account ?? { kind: 'agent' },
        cols: request.cols ?? 80,
        rows: request.rows ?? 24,
        desktop,
      });
      if (!r.ok || tools.get(toolId) !== entry) {
        if (r.ok) void r.value.kill(); // closed (the assistance ended) while it started
        tools.delete(toolId);
        return r.ok ? undefined : refused(toolId, r.refusal);
      }
      const terminal = r.value;
      entry.terminal = { terminal, stream: streamTerminal(terminal, (c) => chunks(toolId, [c]), limits) };
      terminal.onExit(({ exitCode, signal }) =>
        send({ type: 'terminal.exit', toolId, exitCode, ...(signal ? { signal } : {}) }),
      );
      opened = { ...opened, account: terminal.account, warnings: terminal.warnings };
    } else if (kind === 'registry') {
      const hives = await backends.registry.hives();
      if (!hives.ok) return refused(toolId, hives.refusal);
      tools.set(toolId, entry);
    } else tools.set(toolId, entry);
    send(opened);
  }

  async function close(toolId: ToolId, reason: ToolCloseReason): Promise<number[]> {
    const tool = tools.get(toolId);
    if (!tool) return [];
    tools.delete(toolId);
    let ended: number[] = [];
    if (tool.terminal) {
      tool.terminal.stream.stop();
      ended = (await tool.terminal.terminal.kill()).ended;
    }
    send({ type: 'tool.closed', toolId, reason, message: CLOSE_MESSAGES[reason] });
    return ended;
  }

  return {
    /** The tools open now, for the user's indicator. */
    openTools: (): { toolId: ToolId; tool: ToolKind }[] => [...tools].map(([toolId, t]) => ({ toolId, tool: t.kind })),

    async handle(request: ToolRequest): Promise<void> {
      if (request.type === 'tool.open') return open(request);
      const tool = tools.get(request.toolId);
      const requestId = 'requestId' in request ? request.requestId : undefined;
      if (!tool) return notOpen(request.toolId, requestId);
      switch (request.type) {
        case 'tool.close':
          await close(request.toolId, 'closed-by-operator');
          return;
        case 'terminal.input':
        case 'terminal.resize': {
          if (!tool.terminal) return notOpen(request.toolId);
          const t = tool.terminal.terminal;
          const r = request.type === 'terminal.input' ? t.write(request.data) : t.resize(request.cols, request.rows);
          return r.ok ? undefined : refused(request.toolId, r.refusal);
        }
        case 'stream.credit': {
          if (tool.terminal && request.stream === OUTPUT_STREAM) {
            const r = tool.terminal.stream.grant(request.bytes);
            return r.ok ? undefined : refused(request.toolId, r.refusal);
          }
          const sender = tool.results.get(request.stream);
          if (!sender)
            return refused(request.toolId, {
              code: 'flow-violation',
              message: `No answer ${request.stream} is waiting.`,
            });
          const r = sender.grant(request.bytes);
          if (!r.ok) return refused(request.toolId, r.refusal);
          chunks(request.toolId, r.value);
          if (sender.finished) tool.results.delete(request.stream);
          return;
        }
        default: {
          const wanted = request.type === 'registry' ? 'registry' : 'processes';
          if (tool.kind !== wanted) return notOpen(request.toolId, requestId);
          if (tool.results.size >= MAX_PENDING_RESULTS || tool.results.has(request.requestId))
            return refused(
              request.toolId,
              { code: 'bad-input', message: 'Too many answers are still on their way: wait for them.' },
              request.requestId,
            );
          const result =
            request.type === 'registry'
              ? await runRegistryOp(backends.registry, request.request)
              : request.type === 'processes.list'
                ? await backends.processes.list()
                : await backends.processes.kill(request.pid, { tree: request.tree });
          return answer(request.toolId, request.requestId, result);
        }
      }
    },

    /** Closes one tool (the user's indicator, a policy change); resolves once its processes are gone. */
    close,

    /** Ends every tool of the assistance; resolves with every PID ended, once they are gone (2 s at most). */
    async closeAll(reason: ToolCloseReason): Promise<number[]> {
      const ended = await Promise.all([...tools.keys()].map((id) => close(id, reason)));
      return ended.flat();
    },
  };
}

export type ToolHost = ReturnType<typeof createToolHost>;
