/**
 * The Flexxible Tools' wire contract: what the operator's panel asks of the device agent (open, close, type, resize,
 * list and end processes, read and change the registry) and what the agent answers, one zod schema each. The relay
 * carries both over the agent's own connection after checking each request against the policy and the assistance;
 * the host process never sees them. Output and large results travel as numbered chunks of a stream under credit
 * (tool-streams.ts): terminal output on the stream `output`, a request's result on the stream named by its
 * `requestId`, as JSON text parsed on arrival with `resultSchemaFor(request)`.
 */
import { z } from 'zod';
import {
  ProcessKilled,
  ProcessList,
  RegistryChange,
  RegistryKeyListing,
  RegistryMatch,
  RegistryValue,
  ToolRefusalCode,
} from './tools-results.js';

/** The socket.io event each direction uses; the payload is one of the unions below. */
export const TOOL_REQUEST_EVENT = 'tool:request';
export const TOOL_EVENT = 'tool:event';

export const ToolKind = z.enum(['cmd', 'powershell', 'registry', 'processes']);
export type ToolKind = z.infer<typeof ToolKind>;
export const TERMINAL_KINDS = ['cmd', 'powershell'] as const satisfies readonly ToolKind[];

/** Chosen by the panel, unique within the assistance (a tab). */
export const ToolId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a tool ID is 1 to 64 letters, digits, - or _');
export type ToolId = z.infer<typeof ToolId>;
export const RequestId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a request ID is 1 to 64 letters, digits, - or _');

/** Who a terminal runs as: the agent's account (LocalSystem, root) or a signed-in user, where the policy allows. */
export const TerminalAccount = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent') }),
  z.object({ kind: z.literal('user'), user: z.string().min(1).max(256) }),
]);
export type TerminalAccount = z.infer<typeof TerminalAccount>;

const Cols = z.number().int().min(2).max(1000);
const Rows = z.number().int().min(1).max(1000);

/** The most a single `terminal.input` carries: the panel splits a longer paste. */
export const MAX_INPUT_CHARS = 16 * 1024;

/** A registry key path: a hive (short or long form) and its subkeys, no control characters. */
export const RegistryPath = z
  .string()
  .min(2)
  .max(2048)
  .regex(/^[^\p{Cc}]+$/u, 'a key path has no control characters');

export const RegistryOp = z.discriminatedUnion('op', [
  z.object({ op: z.literal('hives') }),
  z.object({ op: z.literal('list'), key: RegistryPath }),
  /** Writes a value (creating or replacing it); the answer carries the old one for the audit. */
  z.object({ op: z.literal('set-value'), key: RegistryPath, value: RegistryValue }),
  z.object({ op: z.literal('delete-value'), key: RegistryPath, name: z.string().max(16_383) }),
  z.object({
    op: z.literal('rename-value'),
    key: RegistryPath,
    name: z.string().max(16_383),
    newName: z.string().max(16_383),
  }),
  z.object({ op: z.literal('create-key'), key: RegistryPath }),
  z.object({ op: z.literal('delete-key'), key: RegistryPath }),
  z.object({ op: z.literal('rename-key'), key: RegistryPath, newName: z.string().min(1).max(255) }),
  /** The key and its subkeys as a `.reg` file's text. */
  z.object({ op: z.literal('export'), key: RegistryPath }),
  z.object({
    op: z.literal('find'),
    key: RegistryPath,
    text: z.string().min(1).max(255),
    in: z.enum(['keys', 'values', 'both']),
  }),
]);
export type RegistryOp = z.infer<typeof RegistryOp>;

/** panel → relay → agent */
export const ToolRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('tool.open'),
    toolId: ToolId,
    tool: ToolKind,
    /** Terminals only; the agent's account when absent. */
    account: TerminalAccount.optional(),
    cols: Cols.optional(),
    rows: Rows.optional(),
  }),
  z.object({ type: z.literal('tool.close'), toolId: ToolId }),
  z.object({ type: z.literal('terminal.input'), toolId: ToolId, data: z.string().min(1).max(MAX_INPUT_CHARS) }),
  z.object({ type: z.literal('terminal.resize'), toolId: ToolId, cols: Cols, rows: Rows }),
  /** The panel consumed `bytes` of a stream: the agent may send that much more. */
  z.object({
    type: z.literal('stream.credit'),
    toolId: ToolId,
    stream: z.string().max(64),
    bytes: z.number().int().positive(),
  }),
  z.object({ type: z.literal('processes.list'), toolId: ToolId, requestId: RequestId }),
  z.object({
    type: z.literal('processes.kill'),
    toolId: ToolId,
    requestId: RequestId,
    pid: z.number().int().positive(),
    tree: z.boolean(),
  }),
  z.object({ type: z.literal('registry'), toolId: ToolId, requestId: RequestId, request: RegistryOp }),
]);
export type ToolRequest = z.infer<typeof ToolRequest>;

export const ToolCloseReason = z.enum([
  'closed-by-operator',
  'closed-by-user', // from the user's indicator
  'shell-exited',
  'policy-changed',
  'assistance-ended',
]);
export type ToolCloseReason = z.infer<typeof ToolCloseReason>;

/** agent → relay → panel */
export const ToolEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('tool.opened'),
    toolId: ToolId,
    tool: ToolKind,
    /** Terminals: the account the shell runs as, by name. */
    account: z.object({ kind: z.enum(['agent', 'user']), name: z.string().max(256) }).optional(),
    /** Things the panel shows beside the tool, e.g. that windows opened from this shell are invisible. */
    warnings: z.array(z.string().max(500)),
    windowBytes: z.number().int().min(8),
    maxChunkBytes: z.number().int().min(4),
  }),
  z.object({ type: z.literal('tool.closed'), toolId: ToolId, reason: ToolCloseReason, message: z.string().max(500) }),
  z.object({
    type: z.literal('tool.refused'),
    toolId: ToolId,
    requestId: RequestId.optional(),
    code: ToolRefusalCode,
    message: z.string().max(1000),
  }),
  z.object({
    type: z.literal('stream.chunk'),
    toolId: ToolId,
    stream: z.string().max(64),
    seq: z.number().int().nonnegative(),
    /** At most the stream's chunk size in bytes (tool.opened says which), so never more characters than this. */
    data: z.string().max(64 * 1024),
    final: z.boolean(),
  }),
  z.object({
    type: z.literal('terminal.exit'),
    toolId: ToolId,
    exitCode: z.number().int(),
    signal: z.number().int().optional(),
  }),
]);
export type ToolEvent = z.infer<typeof ToolEvent>;

/** The stream a terminal's output goes on. */
export const OUTPUT_STREAM = 'output';

const Empty = z.object({});
const REGISTRY_RESULTS = {
  hives: z.array(z.string()),
  list: RegistryKeyListing,
  'set-value': RegistryChange,
  'delete-value': RegistryChange,
  'rename-value': RegistryChange,
  'create-key': Empty,
  'delete-key': Empty,
  'rename-key': Empty,
  export: z.object({ key: z.string(), text: z.string() }),
  find: z.array(RegistryMatch),
} as const satisfies Record<RegistryOp['op'], z.ZodType>;

type RequestWithResult = Extract<ToolRequest, { requestId: string }>;

/** The schema of a request's result, to parse the JSON text of its stream once the final chunk is in. */
export function resultSchemaFor(request: RequestWithResult): z.ZodType {
  switch (request.type) {
    case 'processes.list':
      return ProcessList;
    case 'processes.kill':
      return ProcessKilled;
    case 'registry':
      return REGISTRY_RESULTS[request.request.op];
  }
}

/**
 * relay → operator, when the assistance becomes active (and again when the policy changes): which tools this operator
 * may use on this device, each refused one with the reason the panel shows, and whether a terminal may run as a
 * signed-in user (and as whom). The panel shows nothing until it arrives: no list, no tools.
 */
export const TOOLS_AVAILABLE_EVENT = 'tools:available';
export const ToolAvailability = z.discriminatedUnion('allowed', [
  z.object({ tool: ToolKind, allowed: z.literal(true) }),
  z.object({ tool: ToolKind, allowed: z.literal(false), reason: z.string().min(1).max(500) }),
]);
export type ToolAvailability = z.infer<typeof ToolAvailability>;
export const ToolsAvailable = z.object({
  /** The assistance it is for (a session ID; protocol.ts imports this file, so its schema is spelt here). */
  sessionId: z.string().regex(/^\d{9}$/),
  tools: z.array(ToolAvailability).max(ToolKind.options.length),
  /** A terminal as a signed-in user: the users it may run as, or why not. Absent: the agent's account only. */
  userTerminal: z
    .discriminatedUnion('allowed', [
      z.object({ allowed: z.literal(true), users: z.array(z.string().min(1).max(256)).max(64) }),
      z.object({ allowed: z.literal(false), reason: z.string().min(1).max(500) }),
    ])
    .optional(),
});
export type ToolsAvailable = z.infer<typeof ToolsAvailable>;
